// KakaoTalk channel chatbot: the Event API (POST /v2/bots/<bot id>/talk,
// Authorization: KakaoAK <REST API key>) starts a conversation with the user
// (botUserKey, the skill request's userRequest.user.id) by triggering an event
// whose block is the approved notification template; the message goes in
// event.data (text, case_ref, status, answer). The skill callback is not used:
// it is valid for one minute after the citizen's utterance and only when the
// skill's own answer asked for it, and the gateway answers at once with the
// receipt. The Event API has no idempotency key.
#include <rapidjson/document.h>

#include "common/json/parse.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.kakao.enabled", "false", "Answer KakaoTalk chatbot users (Event API).",
     config::value_type::boolean},
    {"answers.kakao.base_url", "https://bot-api.kakao.com", "Kakao chatbot Event API base URL."},
    {"answers.kakao.rest_api_key", "", "The app's REST API key (KakaoAK); a secret."},
    {"answers.kakao.bot_id", "",
     "The chatbot's id, used when the citizen's message did not carry one."},
    {"answers.kakao.event", "case_update",
     "The event whose block shows the notice (event.data.text)."},
    {"answers.kakao.rate_per_second", "10", "Requests per second at most.",
     config::value_type::integer, 0, 1000},
};

constexpr size_t max_text_chars = 1000;

class kakao_client final : public channel_client {
 public:
  struct settings {
    std::string base, key, bot, event;
    double rate = 0;
  };
  explicit kakao_client(settings s) : s_(std::move(s)) {}

  std::string_view channel() const override { return "kakao"; }
  double rate_per_second() const override { return s_.rate; }
  bool repeat_safe(std::string_view) const override { return false; }
  plan choose(const delivery_job& job) const override {
    if (job.address.via.empty() && s_.bot.empty()) {
      return {"event",
              send_result{send_verdict::refused,
                          "no bot id: the message carried none and answers.kakao.bot_id is not set",
                          std::nullopt, "event"}};
    }
    return {"event", std::nullopt};
  }

  send_result send(const delivery_job& job, http_client& http) const override {
    const std::string& bot = job.address.via.empty() ? s_.bot : job.address.via;
    std::string body =
        "{\"event\":{\"name\":" + json_string(s_.event) +
        ",\"data\":{\"text\":" + json_string(fit(job.message.text, max_text_chars)) +
        ",\"case_ref\":" + json_string(job.message.case_ref) +
        ",\"status\":" + json_string(job.message.status_label) +
        ",\"answer\":" + json_string(fit(job.message.answer, max_text_chars)) +
        "}},\"user\":[{\"type\":\"botUserKey\",\"id\":" + json_string(job.address.to) +
        ",\"properties\":{}}],\"params\":{}}";
    auto r =
        http.post(s_.base + "/v2/bots/" + bot + "/talk",
                  {"Content-Type: application/json", "Authorization: KakaoAK " + s_.key}, body);
    if (auto t = transient(r, job.now, "event")) return *t;
    rapidjson::Document doc;
    json::parse(doc, r.body);
    std::string status = doc.IsObject() && doc.HasMember("status") && doc["status"].IsString()
                             ? doc["status"].GetString()
                             : "";
    if (r.status == 200 && status == "SUCCESS") {
      return {send_verdict::delivered, "", std::nullopt, "event"};
    }
    std::string message = doc.IsObject() && doc.HasMember("message") && doc["message"].IsString()
                              ? fit(doc["message"].GetString(), 200)
                              : "";
    return {send_verdict::refused,
            "HTTP " + std::to_string(r.status) + " " + status + " " + message, std::nullopt,
            "event"};
  }

 private:
  settings s_;
};

const bool registered = register_client(
    {"kakao", options,
     [](const config::settings& s) -> expected<std::unique_ptr<channel_client>, std::string> {
       kakao_client::settings k{s.text("answers.kakao.base_url"),
                                s.text("answers.kakao.rest_api_key"),
                                s.text("answers.kakao.bot_id"), s.text("answers.kakao.event"),
                                static_cast<double>(s.integer("answers.kakao.rate_per_second"))};
       if (k.key.empty()) return unexpected(std::string("answers.kakao.rest_api_key is required"));
       return std::unique_ptr<channel_client>(new kakao_client(std::move(k)));
     }});

}  // namespace
}  // namespace civic::answers
