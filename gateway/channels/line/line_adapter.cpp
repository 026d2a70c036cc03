// LINE Messaging API webhook: X-Line-Signature is base64 HMAC-SHA256 of the body
// with the channel secret; each event's webhookEventId is its idempotency key.
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.line.enabled", "false", "Take LINE webhook events at /v1/webhooks/line.",
     config::value_type::boolean},
    {"channels.line.channel_secret", "", "The LINE channel secret that signs each request."},
};

class line_adapter final : public adapter {
 public:
  explicit line_adapter(std::string secret) : secret_(std::move(secret)) {}

  bool authentic(const request& req) const override {
    auto given = req.header("X-Line-Signature");
    return given && signature_matches(secret_, req.body, *given, digest_encoding::base64);
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto events = array_at(payload->root(), "/events");
    if (!events) return unexpected(missing(payload->root(), "/events"));
    delivery d;
    size_t index = 0;
    for (auto event : *events) {
      std::string at = "/events/" + std::to_string(index++);
      auto text = string_at(event, "/message/text");
      if (string_at(event, "/type") != "message" || string_at(event, "/message/type") != "text" ||
          !text) {
        ++d.ignored_events;  // follows, postbacks, stickers, images
        continue;
      }
      auto event_id = string_at(event, "/webhookEventId");
      if (!event_id) return unexpected(missing(event, "/webhookEventId", at));
      ingest::inbound_message m;
      m.id = std::string(*event_id);
      m.channel = "line";
      m.text = std::string(*text);
      m.author = id_at(event, "/source/userId");
      // Answers go to the group or room the message came from, else to the user.
      m.conversation_id = id_at(event, "/source/groupId");
      if (!m.conversation_id) m.conversation_id = id_at(event, "/source/roomId");
      if (!m.conversation_id) m.conversation_id = m.author;
      m.reply_message_id = id_at(event, "/message/id");
      // Single-use, valid about a minute: the answers service replies with it while it can.
      m.reply_handle = id_at(event, "/replyToken");
      d.messages.push_back(std::move(m));
    }
    return d;
  }

 private:
  std::string secret_;
};

const bool registered = register_channel(
    {"line", options, make_with_secret<line_adapter>("channels.line.channel_secret")});

}  // namespace
}  // namespace civic::gateway::channels
