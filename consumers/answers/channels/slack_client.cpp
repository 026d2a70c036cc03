// Slack Web API: POST /api/chat.postMessage (Authorization: Bearer xoxb-...)
// in the citizen's thread (thread_ts). Slack has no idempotency key. Errors come
// as 200 {"ok": false, "error": ...}; rate limits as 429 with Retry-After.
#include <rapidjson/document.h>

#include "common/json/parse.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.slack.enabled", "false", "Answer in Slack threads.", config::value_type::boolean},
    {"answers.slack.base_url", "https://slack.com", "Slack Web API base URL."},
    {"answers.slack.bot_token", "", "The bot token (xoxb-...); a secret."},
    {"answers.slack.rate_per_second", "1",
     "Messages per second at most (Slack: about 1 per channel).", config::value_type::integer, 0,
     1000},
};

constexpr size_t max_text_chars = 4000;

class slack_client final : public token_client {
 public:
  using token_client::token_client;

  std::string_view channel() const override { return "slack"; }
  plan choose(const delivery_job&) const override { return {"thread", std::nullopt}; }

  send_result send(const delivery_job& job, http_client& http) const override {
    std::string body = "{\"channel\":" + json_string(job.address.to) +
                       ",\"text\":" + json_string(fit(job.message.text, max_text_chars));
    if (!job.address.thread.empty()) body += ",\"thread_ts\":" + json_string(job.address.thread);
    body += "}";
    auto r = http.post(
        base_ + "/api/chat.postMessage",
        {"Content-Type: application/json; charset=utf-8", "Authorization: Bearer " + token_}, body);
    if (auto t = transient(r, job.now, "thread")) return *t;
    rapidjson::Document doc;
    json::parse(doc, r.body);
    bool ok = doc.IsObject() && doc.HasMember("ok") && doc["ok"].IsBool() && doc["ok"].GetBool();
    if (r.status == 200 && ok) return {send_verdict::delivered, "", std::nullopt, "thread"};
    std::string error = doc.IsObject() && doc.HasMember("error") && doc["error"].IsString()
                            ? fit(doc["error"].GetString(), 100)
                            : "HTTP " + std::to_string(r.status);
    if (error == "ratelimited") return {send_verdict::retry, error, std::nullopt, "thread"};
    return {send_verdict::refused, error, std::nullopt, "thread"};
  }
};

const bool registered = register_client(
    {"slack", options, make_token_client<slack_client>("slack", "answers.slack.bot_token")});

}  // namespace
}  // namespace civic::answers
