// Telegram Bot API: POST /bot<token>/sendMessage with the chat id and
// reply_parameters quoting the citizen's message (allow_sending_without_reply,
// so a deleted original does not block the answer). Telegram has no
// idempotency key: a repeat is a second message. 429 carries
// parameters.retry_after; 403 means the citizen blocked the bot.
#include <rapidjson/document.h>

#include "common/json/parse.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.telegram.enabled", "false", "Answer Telegram users.", config::value_type::boolean},
    {"answers.telegram.base_url", "https://api.telegram.org", "Telegram Bot API base URL."},
    {"answers.telegram.bot_token", "", "The bot's token (in the URL path); a secret."},
    {"answers.telegram.rate_per_second", "25",
     "Messages per second at most (Telegram: about 30 overall, 1 per chat).",
     config::value_type::integer, 0, 1000},
};

constexpr size_t max_text_chars = 4096;

class telegram_client final : public token_client {
 public:
  using token_client::token_client;

  std::string_view channel() const override { return "telegram"; }
  plan choose(const delivery_job&) const override { return {"text", std::nullopt}; }

  send_result send(const delivery_job& job, http_client& http) const override {
    std::string body = "{\"chat_id\":" + json_string(job.address.to) +
                       ",\"text\":" + json_string(fit(job.message.text, max_text_chars));
    if (!job.address.thread.empty()) {
      body += ",\"reply_parameters\":{\"message_id\":" + numeric_or_string(job.address.thread) +
              ",\"allow_sending_without_reply\":true}";
    }
    body += "}";
    auto r = http.post(base_ + "/bot" + token_ + "/sendMessage", {"Content-Type: application/json"},
                       body);
    rapidjson::Document doc;
    if (r.outcome == transport::answered) json::parse(doc, r.body);
    bool ok = doc.IsObject() && doc.HasMember("ok") && doc["ok"].IsBool() && doc["ok"].GetBool();
    if (r.outcome == transport::answered && r.status == 200 && ok) {
      return {send_verdict::delivered, "", std::nullopt, "text"};
    }
    std::string description;
    if (doc.IsObject() && doc.HasMember("description") && doc["description"].IsString()) {
      description = fit(doc["description"].GetString(), 200);
    }
    if (r.outcome == transport::answered && r.status == 429) {
      std::optional<std::chrono::milliseconds> wait = retry_after(r, job.now);
      if (doc.IsObject() && doc.HasMember("parameters") && doc["parameters"].IsObject() &&
          doc["parameters"].HasMember("retry_after") &&
          doc["parameters"]["retry_after"].IsInt64()) {
        wait = std::chrono::milliseconds(doc["parameters"]["retry_after"].GetInt64() * 1000);
      }
      return {send_verdict::retry, "HTTP 429 " + description, wait, "text"};
    }
    if (auto t = transient(r, job.now, "text")) return *t;
    if (r.status == 403) return {send_verdict::opted_out, description, std::nullopt, "text"};
    return {send_verdict::refused, "HTTP " + std::to_string(r.status) + " " + description,
            std::nullopt, "text"};
  }

 private:
  // Telegram's message ids are integers; anything else is sent as given.
  static std::string numeric_or_string(const std::string& id) {
    bool digits =
        !id.empty() && id.find_first_not_of("0123456789") == std::string::npos && id.size() < 19;
    return digits ? id : json_string(id);
  }
};

const bool registered =
    register_client({"telegram", options,
                     make_token_client<telegram_client>("telegram", "answers.telegram.bot_token")});

}  // namespace
}  // namespace civic::answers
