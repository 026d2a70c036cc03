#pragma once
// One channel's outbound API: how an answer reaches a citizen who wrote on
// that channel. Each client is a small unit in its own file (channels/<name>_client.cpp)
// that registers itself with its configuration keys; the delivery worker plans,
// records the attempt, sends, retries and records the outcome (delivery_worker.hpp).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.hpp"
#include "common/crypto/reply_token.hpp"
#include "common/error/expected.hpp"
#include "consumers/answers/http/http_client.hpp"

namespace civic::answers {

// What the citizen reads, in the pieces a template needs and composed.
struct notice {
  std::string kind;          // "update" or "threshold"
  std::string status;        // the case's status after the update ("" none)
  std::string status_label;  // the status in the citizen's language
  std::string answer;        // the division's answer ("" none)
  std::string language;      // of the labels: "ko" or "en"
  std::string case_ref;      // a short reference to the case
  std::string text;          // the whole message
  bool operator==(const notice&) const = default;
};

// One (update, recipient) as a client needs it.
struct delivery_job {
  std::string idempotency_key;    // a UUID from (update, recipient): the same for every attempt
  crypto::reply_address address;  // opened from the reply token; never logged
  int64_t last_inbound_ms = 0;    // the citizen's latest message in the case (WhatsApp window)
  bool handle_usable = false;     // the single-use reply handle was not spent on another update
  std::string interrupted_mode;   // an earlier attempt in this mode may have been sent ("" none)
  std::string mode;               // what plan() chose, set before send()
  notice message;
  std::chrono::system_clock::time_point now;
};

enum class send_verdict {
  delivered,       // the channel took it
  published,       // nothing to send: the channel shows it where the citizen looks (Open311)
  retry,           // refused for now (429, 5xx, not connected); send again later
  ambiguous,       // no answer after the request went out: it may have been delivered
  refused,         // refused for good (detail says why)
  window_expired,  // only a template may go now and none is configured
  opted_out,       // the citizen blocked the account / does not accept messages
  unconfirmed,     // an earlier, interrupted attempt may have delivered it; not repeated
};

struct send_result {
  send_verdict verdict = send_verdict::refused;
  std::string detail;  // why; never an address or a message text
  std::optional<std::chrono::milliseconds> retry_after;
  std::string mode;  // when the client changed modes on the way (WhatsApp text -> template)
};

struct plan {
  std::string mode;                    // reply, push, text, template, dm, event, email, status
  std::optional<send_result> decided;  // set when nothing needs sending (published, expired)
};

class channel_client {
 public:
  virtual ~channel_client() = default;
  virtual std::string_view channel() const = 0;
  virtual plan choose(const delivery_job& job) const = 0;
  // True when the channel recognises a repeat of an attempt in `mode` (LINE's
  // X-Line-Retry-Key, a single-use reply token): repeating it after a crash
  // cannot make a second copy.
  virtual bool repeat_safe(std::string_view mode) const = 0;
  virtual send_result send(const delivery_job& job, http_client& http) const = 0;
  // Messages per second the channel allows this account (0: no limit).
  virtual double rate_per_second() const = 0;
};

// A client of an API that takes one token (a secret) at one base URL, with no idempotency
// key (a repeat is a second message).
class token_client : public channel_client {
 public:
  token_client(std::string base, std::string token, double rate)
      : base_(std::move(base)), token_(std::move(token)), rate_(rate) {}
  bool repeat_safe(std::string_view) const override { return false; }
  double rate_per_second() const override { return rate_; }

 protected:
  std::string base_, token_;
  double rate_;
};

// ---------------------------------------------------------------- registry

using client_factory =
    std::function<expected<std::unique_ptr<channel_client>, std::string>(const config::settings&)>;

struct client_registration {
  std::string_view channel;
  std::span<const config::option> options;  // the first is answers.<channel>.enabled
  client_factory make;
};

bool register_client(client_registration r);
const std::vector<client_registration>& registered_clients();

// A registration's make for a token_client: new Client(answers.<channel>.base_url, the token
// at `token_key`, which is required, answers.<channel>.rate_per_second).
template <class Client>
client_factory make_token_client(std::string_view channel, std::string_view token_key) {
  return [prefix = "answers." + std::string(channel) + ".", token_key](
             const config::settings& s) -> expected<std::unique_ptr<channel_client>, std::string> {
    const std::string& token = s.text(token_key);
    if (token.empty()) return unexpected(std::string(token_key) + " is required");
    return std::unique_ptr<channel_client>(
        new Client(s.text(prefix + "base_url"), token,
                   static_cast<double>(s.integer(prefix + "rate_per_second"))));
  };
}

// Every client whose answers.<channel>.enabled is true.
expected<std::vector<std::unique_ptr<channel_client>>, std::string> make_enabled_clients(
    const config::settings& s);

// ---------------------------------------------------------------- helpers for clients

// Retry-After as seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> retry_after(const http_result& r,
                                                     std::chrono::system_clock::time_point now);
// The common answer to a transport failure or a 429/5xx (in `mode`); nullopt for anything else.
std::optional<send_result> transient(const http_result& r,
                                     std::chrono::system_clock::time_point now,
                                     std::string_view mode);
// The text cut to `max_chars` code points (with "…" when cut).
std::string fit(std::string_view text, size_t max_chars);
// A JSON string literal of `text` (quotes included).
std::string json_string(std::string_view text);

}  // namespace civic::answers
