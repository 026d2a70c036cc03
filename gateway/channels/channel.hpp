#pragma once
// A channel adapter turns one channel's webhook requests into citizen messages
// and answers in that channel's own format. Each adapter is a small unit in its
// own folder (gateway/channels/<name>/) that registers itself with the registry;
// verification, rate limiting, publishing and answering are shared (dispatcher).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"
#include "gateway/http/message.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/pipeline.hpp"

namespace civic::gateway::channels {

// One HTTP request to /v1/webhooks/<channel>[/rest] (or /open311/v2/rest).
struct request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // what follows the channel's prefix: "", "/services.json", ...
  std::string_view query;   // raw, without '?'
  std::function<std::optional<std::string_view>(std::string_view name)> header;  // any case
  std::string_view content_type;
  std::string_view body;
  std::string_view client_address;
  std::chrono::system_clock::time_point now;
};

// An answer in the channel's own format.
using response = http::response;

// What a webhook delivery holds once verified and read.
struct delivery {
  std::vector<ingest::inbound_message> messages;  // stored before the answer
  size_t ignored_events = 0;  // event types the gateway does not publish: acknowledged, counted
  // The channel's answer once every message has its outcome (outcomes[i] for messages[i]).
  // Default: 200 {"stored":n} when nothing needs resending, else 503 so the channel redelivers.
  std::function<response(const std::vector<ingest::outcome>&)> answer;
  // A channel with an answer deadline (KakaoTalk: 5 s) gets this answer if Kafka is slower.
  std::optional<std::chrono::milliseconds> answer_within;
  std::function<response()> answer_late;
};

class adapter {
 public:
  virtual ~adapter() = default;

  // Requests answered without publishing anything (verification handshakes,
  // Open311 look-ups); nullopt for a delivery.
  virtual std::optional<response> respond_directly(const request&) const { return std::nullopt; }

  // The channel's signature or shared secret; compared in constant time.
  virtual bool authentic(const request&) const = 0;

  // Reads the messages of a verified delivery, or the answer for a bad one.
  virtual expected<delivery, response> extract(const request&) const = 0;
};

// 200 {"stored":n,"rejected":m} when nothing needs resending, else the retryable
// error's answer (503 with Retry-After) so the channel redelivers.
response default_answer(const std::vector<ingest::outcome>& outcomes);

}  // namespace civic::gateway::channels
