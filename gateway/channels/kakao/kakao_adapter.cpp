// KakaoTalk chatbot (Open Builder skill server). Kakao signs nothing, so the
// skill URL is called with a shared-secret header. The skill must answer within
// 5 seconds in Kakao's skill-response format; the citizen reads that answer as
// the receipt. Messages carry no id: the key is a hash of the bot, the user and
// the utterance, so a citizen repeating the same words is one message.

#include "common/json/writer.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.kakao.enabled", "false", "Take KakaoTalk skill requests at /v1/webhooks/kakao.",
     config::value_type::boolean},
    {"channels.kakao.secret", "", "Shared secret the skill URL is called with."},
    {"channels.kakao.secret_header", "X-Skill-Secret",
     "The request header that carries channels.kakao.secret (set it in the skill's headers)."},
    {"channels.kakao.answer_within_ms", "4500",
     "Kakao waits 5 s for a skill's answer; if Kafka has not answered by then, the citizen "
     "is asked to send again (a resend has the same key).",
     config::value_type::integer, 100, 4900},
};

response skill_text(std::string_view text) {
  json::writer w;
  w.StartObject();
  w.member("version", "2.0");
  w.Key("template");
  w.StartObject();
  w.Key("outputs");
  w.StartArray();
  w.StartObject();
  w.Key("simpleText");
  w.StartObject();
  w.member("text", text);
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return http::json(200, w.str());
}

class kakao_adapter final : public adapter {
 public:
  kakao_adapter(std::string secret, std::string header, std::chrono::milliseconds within)
      : secret_(std::move(secret)), header_(std::move(header)), within_(within) {}

  bool authentic(const request& req) const override {
    return secret_matches(req.header(header_), secret_);
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto root = payload->root();
    auto utterance = string_at(root, "/userRequest/utterance");
    auto user = string_at(root, "/userRequest/user/id");
    if (!utterance) return unexpected(missing(root, "/userRequest/utterance"));
    if (!user) return unexpected(missing(root, "/userRequest/user/id"));

    ingest::inbound_message m;
    m.channel = "kakao";
    m.id = content_key({string_at(root, "/bot/id").value_or(""), *user, *utterance});
    m.text = std::string(*utterance);
    m.author = std::string(*user);
    m.conversation_id = std::string(*user);
    if (auto bot = string_at(root, "/bot/id")) m.reply_via = std::string(*bot);

    delivery d;
    std::string receipt = m.id.substr(0, 8);
    d.messages.push_back(std::move(m));
    d.answer = [receipt](const std::vector<ingest::outcome>& outcomes) {
      if (!outcomes.empty() && !outcomes[0].error) {
        return skill_text("민원이 접수되었습니다. 접수번호: " + receipt +
                          "\nYour report has been received. Receipt: " + receipt);
      }
      if (!outcomes.empty() && !outcomes[0].retryable()) {
        return skill_text(
            "내용을 확인할 수 없습니다. 다시 작성해 주세요.\n"
            "We could not read that message; please write it again.");
      }
      return skill_text(
          "지금 접수가 지연되고 있습니다. 잠시 후 같은 내용을 다시 보내 주세요.\n"
          "We could not take your report just now; please send it again shortly.");
    };
    d.answer_within = within_;
    d.answer_late = [] {
      return skill_text(
          "접수가 지연되고 있습니다. 잠시 후 같은 내용을 다시 보내 주세요.\n"
          "Your report is delayed; please send the same message again shortly.");
    };
    return d;
  }

 private:
  std::string secret_, header_;
  std::chrono::milliseconds within_;
};

const bool registered = register_channel(
    {"kakao", options,
     make_with_secret<kakao_adapter>(
         "channels.kakao.secret",
         [](const setting_lookup& get) { return get("channels.kakao.secret_header"); },
         [](const setting_lookup& get) {
           return std::chrono::milliseconds(std::stoll(get("channels.kakao.answer_within_ms")));
         })});

}  // namespace
}  // namespace civic::gateway::channels
