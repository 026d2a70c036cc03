// LINE Messaging API. A reply token from the webhook is single-use and lasts
// about a minute: within answers.line.reply_window_s of the citizen's message,
// and if no earlier update used it, the answer is a reply (POST
// /v2/bot/message/reply, free of the message quota); otherwise a push to the
// user, group or room (POST /v2/bot/message/push) with X-Line-Retry-Key, so a
// repeat is answered 409 and never delivered twice. LINE refuses the retry key
// on replies (400), and a used reply token is refused too: both modes are safe
// to repeat.
#include <rapidjson/document.h>

#include "common/json/parse.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.line.enabled", "false", "Answer LINE users.", config::value_type::boolean},
    {"answers.line.base_url", "https://api.line.me", "LINE Messaging API base URL."},
    {"answers.line.channel_access_token", "",
     "The channel access token (Authorization: Bearer); a secret."},
    {"answers.line.reply_window_s", "50",
     "Use the webhook's reply token while the citizen's message is younger than this (LINE: "
     "about a minute); 0: always push.",
     config::value_type::integer, 0, 600},
    {"answers.line.rate_per_second", "100", "Requests per second at most (LINE: about 2,000).",
     config::value_type::integer, 0, 100000},
};

constexpr size_t max_text_chars = 5000;

class line_client final : public channel_client {
 public:
  line_client(std::string base, std::string token, int64_t window_s, double rate)
      : base_(std::move(base)),
        token_(std::move(token)),
        window_ms_(window_s * 1000),
        rate_(rate) {}

  std::string_view channel() const override { return "line"; }
  double rate_per_second() const override { return rate_; }
  bool repeat_safe(std::string_view) const override { return true; }

  plan choose(const delivery_job& job) const override {
    if (job.interrupted_mode == "reply") return {"reply", std::nullopt};
    int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(job.now.time_since_epoch()).count();
    bool fresh = now_ms - job.address.written_at_ms < window_ms_;
    if (!job.address.handle.empty() && job.handle_usable && fresh) return {"reply", std::nullopt};
    return {"push", std::nullopt};
  }

  send_result send(const delivery_job& job, http_client& http) const override {
    std::string messages =
        "[{\"type\":\"text\",\"text\":" + json_string(fit(job.message.text, max_text_chars)) + "}]";
    std::vector<std::string> headers{"Content-Type: application/json",
                                     "Authorization: Bearer " + token_};
    if (job.mode == "reply") {
      auto r = http.post(
          base_ + "/v2/bot/message/reply", headers,
          "{\"replyToken\":" + json_string(job.address.handle) + ",\"messages\":" + messages + "}");
      if (r.outcome == transport::answered && r.status == 200) return delivered("reply");
      if (r.outcome == transport::answered && r.status == 400 && !job.interrupted_mode.empty()) {
        // Our own earlier attempt may have used the token: no second copy by push.
        return {send_verdict::unconfirmed,
                "the reply token was spent or expired after an interrupted attempt", std::nullopt,
                "reply"};
      }
      if (r.outcome != transport::answered || r.status != 400) return judge(r, job, "reply");
      // Expired before its first use: nothing was delivered, so push.
    }
    headers.push_back("X-Line-Retry-Key: " + job.idempotency_key);
    auto r =
        http.post(base_ + "/v2/bot/message/push", headers,
                  "{\"to\":" + json_string(job.address.to) + ",\"messages\":" + messages + "}");
    // 409: a request with this retry key was accepted before.
    if (r.outcome == transport::answered && (r.status == 200 || r.status == 409)) {
      return delivered("push");
    }
    return judge(r, job, "push");
  }

 private:
  static send_result delivered(std::string mode) {
    return {send_verdict::delivered, "", std::nullopt, std::move(mode)};
  }

  static send_result judge(const http_result& r, const delivery_job& job, std::string mode) {
    if (auto t = transient(r, job.now, mode)) return *t;
    std::string message;
    rapidjson::Document doc;
    json::parse(doc, r.body);
    if (doc.IsObject() && doc.HasMember("message") && doc["message"].IsString()) {
      message = doc["message"].GetString();
    }
    return {send_verdict::refused, "HTTP " + std::to_string(r.status) + " " + fit(message, 200),
            std::nullopt, std::move(mode)};
  }

  std::string base_, token_;
  int64_t window_ms_;
  double rate_;
};

const bool registered = register_client(
    {"line", options,
     [](const config::settings& s) -> expected<std::unique_ptr<channel_client>, std::string> {
       const std::string& token = s.text("answers.line.channel_access_token");
       if (token.empty())
         return unexpected(std::string("answers.line.channel_access_token is required"));
       return std::unique_ptr<channel_client>(new line_client(
           s.text("answers.line.base_url"), token, s.integer("answers.line.reply_window_s"),
           static_cast<double>(s.integer("answers.line.rate_per_second"))));
     }});

}  // namespace
}  // namespace civic::answers
