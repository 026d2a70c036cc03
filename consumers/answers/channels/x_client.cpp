// X API v2 direct messages: POST /2/dm_conversations/with/:participant_id/messages
// with an OAuth 2.0 user token (dm.write). 201 Created on success; a citizen
// who does not accept messages from the account answers 403. Rate limits come
// as 429 with x-rate-limit-reset (epoch seconds). No idempotency key.
#include <charconv>

#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.x.enabled", "false", "Answer X users by direct message.",
     config::value_type::boolean},
    {"answers.x.base_url", "https://api.x.com", "X API base URL."},
    {"answers.x.bearer_token", "",
     "OAuth 2.0 user access token of the city's account with dm.write; a secret."},
    {"answers.x.rate_per_second", "1",
     "Messages per second at most (X: 200 requests per 15 minutes per user).",
     config::value_type::integer, 0, 1000},
};

constexpr size_t max_text_chars = 10000;

class x_client final : public token_client {
 public:
  using token_client::token_client;

  std::string_view channel() const override { return "x"; }
  plan choose(const delivery_job&) const override { return {"dm", std::nullopt}; }

  send_result send(const delivery_job& job, http_client& http) const override {
    auto r = http.post(base_ + "/2/dm_conversations/with/" + job.address.to + "/messages",
                       {"Content-Type: application/json", "Authorization: Bearer " + token_},
                       "{\"text\":" + json_string(fit(job.message.text, max_text_chars)) + "}");
    if (r.outcome == transport::answered && (r.status == 201 || r.status == 200)) {
      return {send_verdict::delivered, "", std::nullopt, "dm"};
    }
    if (r.outcome == transport::answered && r.status == 429) {
      auto wait = retry_after(r, job.now);
      if (auto reset = r.headers.find("x-rate-limit-reset"); reset != r.headers.end()) {
        int64_t at = 0;
        auto [end, ec] =
            std::from_chars(reset->second.data(), reset->second.data() + reset->second.size(), at);
        if (ec == std::errc()) {
          auto now_s =
              std::chrono::duration_cast<std::chrono::seconds>(job.now.time_since_epoch()).count();
          wait = std::chrono::milliseconds(std::max<int64_t>(at - now_s, 0) * 1000);
        }
      }
      return {send_verdict::retry, "HTTP 429", wait, "dm"};
    }
    if (auto t = transient(r, job.now, "dm")) return *t;
    if (r.status == 403) {
      return {send_verdict::opted_out, "the citizen does not accept direct messages (403)",
              std::nullopt, "dm"};
    }
    return {send_verdict::refused, "HTTP " + std::to_string(r.status), std::nullopt, "dm"};
  }
};

const bool registered =
    register_client({"x", options, make_token_client<x_client>("x", "answers.x.bearer_token")});

}  // namespace
}  // namespace civic::answers
