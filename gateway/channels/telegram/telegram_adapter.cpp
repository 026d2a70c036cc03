// Telegram Bot API webhook: the secret token set with setWebhook comes back in
// X-Telegram-Bot-Api-Secret-Token; update_id is the idempotency key.
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.telegram.enabled", "false", "Take Telegram bot updates at /v1/webhooks/telegram.",
     config::value_type::boolean},
    {"channels.telegram.secret_token", "",
     "The secret_token given to setWebhook; requests without it are refused (401)."},
};

class telegram_adapter final : public adapter {
 public:
  explicit telegram_adapter(std::string secret) : secret_(std::move(secret)) {}

  bool authentic(const request& req) const override {
    return secret_matches(req.header("X-Telegram-Bot-Api-Secret-Token"), secret_);
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto update = payload->root();
    auto update_id = id_at(update, "/update_id");
    if (!update_id) return unexpected(missing(update, "/update_id"));

    delivery d;
    std::string_view kind;
    for (std::string_view candidate : {"/message", "/edited_message", "/channel_post"}) {
      if (!update.at_pointer(candidate).error()) {
        kind = candidate;
        break;
      }
    }
    simdjson::dom::element body;
    if (!kind.empty() && (update.at_pointer(kind).get(body) || !body.is_object()))
      return unexpected(missing(update, kind));  // there, but not an object
    std::optional<std::string_view> text;
    for (const char* member : {"/text", "/caption"}) {
      if (kind.empty() || text) break;
      const std::string at = std::string(kind) + member;
      if (auto wrong = not_a_string(update, at)) return unexpected(std::move(*wrong));
      text = string_at(update, at);
    }
    if (!text) {  // callback queries, stickers, joins: acknowledged, not published
      d.ignored_events = 1;
      return d;
    }
    std::string base(kind);
    ingest::inbound_message m;
    m.id = *update_id;
    m.channel = "telegram";
    m.text = std::string(*text);
    m.author = id_at(update, base + "/from/id");
    m.conversation_id = id_at(update, base + "/chat/id");
    m.reply_message_id = id_at(update, base + "/message_id");
    auto lat = number_at(update, base + "/location/latitude");
    auto lon = number_at(update, base + "/location/longitude");
    if (lat && lon) m.place = envelope::location{lat, lon, std::nullopt, std::nullopt};
    d.messages.push_back(std::move(m));
    return d;
  }

 private:
  std::string secret_;
};

const bool registered = register_channel(
    {"telegram", options, make_with_secret<telegram_adapter>("channels.telegram.secret_token")});

}  // namespace
}  // namespace civic::gateway::channels
