// Slack Events API: X-Slack-Signature is "v0=" + hex HMAC-SHA256 of
// "v0:<X-Slack-Request-Timestamp>:<body>" with the signing secret; timestamps more
// than 300 s away are refused (replay). url_verification echoes its challenge;
// event_id is the idempotency key.
#include <charconv>
#include <cstdlib>

#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.slack.enabled", "false", "Take Slack Events API requests at /v1/webhooks/slack.",
     config::value_type::boolean},
    {"channels.slack.signing_secret", "", "The Slack app's signing secret."},
    {"channels.slack.max_clock_skew_s", "300",
     "Requests whose X-Slack-Request-Timestamp is further from now are refused as replays.",
     config::value_type::integer, 1, 3600},
};

class slack_adapter final : public adapter {
 public:
  slack_adapter(std::string secret, int64_t skew) : secret_(std::move(secret)), skew_(skew) {}

  bool authentic(const request& req) const override {
    auto timestamp = req.header("X-Slack-Request-Timestamp");
    auto given = req.header("X-Slack-Signature");
    if (!timestamp || !given) return false;
    int64_t sent = 0;
    auto [end, ec] =
        std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), sent);
    if (ec != std::errc() || end != timestamp->data() + timestamp->size()) return false;
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(req.now.time_since_epoch()).count();
    if (std::llabs(now - sent) > skew_) return false;
    std::string base = "v0:" + std::string(*timestamp) + ":" + std::string(req.body);
    return signature_matches(secret_, base, *given, digest_encoding::hex, "v0=");
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto root = payload->root();
    auto type = string_at(root, "/type");
    delivery d;
    if (type == "url_verification") {
      auto challenge = string_at(root, "/challenge");
      if (!challenge) return unexpected(missing(root, "/challenge"));
      d.answer = [reply = std::string(*challenge)](const std::vector<ingest::outcome>&) {
        return http::answer(200, "text/plain", reply);
      };
      return d;
    }
    auto text = string_at(root, "/event/text");
    bool plain_message = type == "event_callback" && string_at(root, "/event/type") == "message" &&
                         !string_at(root, "/event/subtype") && !string_at(root, "/event/bot_id");
    if (auto wrong = plain_message ? not_a_string(root, "/event/text") : std::nullopt)
      return unexpected(std::move(*wrong));
    if (!plain_message || !text) {  // edits, bot posts, reactions, joins
      d.ignored_events = 1;
      return d;
    }
    auto event_id = string_at(root, "/event_id");
    if (!event_id) return unexpected(missing(root, "/event_id"));
    ingest::inbound_message m;
    m.id = std::string(*event_id);
    m.channel = "slack";
    m.text = std::string(*text);
    m.author = id_at(root, "/event/user");
    m.conversation_id = id_at(root, "/event/channel");
    m.reply_message_id = id_at(root, "/event/thread_ts");
    if (!m.reply_message_id) m.reply_message_id = id_at(root, "/event/ts");
    d.messages.push_back(std::move(m));
    return d;
  }

 private:
  std::string secret_;
  int64_t skew_;
};

const bool registered =
    register_channel({"slack", options,
                      make_with_secret<slack_adapter>(
                          "channels.slack.signing_secret", [](const setting_lookup& get) {
                            return std::stoll(get("channels.slack.max_clock_skew_s"));
                          })});

}  // namespace
}  // namespace civic::gateway::channels
