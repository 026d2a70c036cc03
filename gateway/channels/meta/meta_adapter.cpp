// Meta webhooks (WhatsApp Business, Messenger, Instagram): the verification GET
// echoes hub.challenge when hub.verify_token matches; deliveries are signed with
// X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, body). The
// message id (wamid / mid) is the idempotency key.
#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/content_key.hpp"
#include "gateway/channels/support/form.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.meta.enabled", "false",
     "Take WhatsApp, Messenger and Instagram webhooks at /v1/webhooks/meta.",
     config::value_type::boolean},
    {"channels.meta.app_secret", "", "The Meta app secret that signs each delivery."},
    {"channels.meta.verify_token", "", "The verify token entered when subscribing the webhook."},
};

using simdjson::dom::element;

void add_whatsapp(element entry, delivery& d) {
  auto changes = array_at(entry, "/changes");
  if (!changes) return;
  for (auto change : *changes) {
    auto messages = array_at(change, "/value/messages");
    if (!messages) {
      ++d.ignored_events;  // delivery statuses
      continue;
    }
    for (auto message : *messages) {
      auto text = string_at(message, "/text/body");
      auto id = string_at(message, "/id");
      if (!text || !id) {
        ++d.ignored_events;  // images, reactions, locations without text
        continue;
      }
      ingest::inbound_message m;
      // A wamid carries the sender's number (base64 inside): the key is its hash.
      m.id = content_key({*id});
      m.channel = "whatsapp";
      m.text = std::string(*text);
      m.author = id_at(message, "/from");  // a phone number: only its HMAC goes further
      // The answer goes to that number from the business number written to, quoting
      // the message: all three only inside the sealed reply token.
      m.conversation_id = m.author;
      m.reply_via = id_at(change, "/value/metadata/phone_number_id");
      m.reply_message_id = std::string(*id);
      d.messages.push_back(std::move(m));
    }
  }
}

void add_messaging(element entry, std::string_view channel, delivery& d) {
  auto events = array_at(entry, "/messaging");
  if (!events) return;
  for (auto event : *events) {
    auto text = string_at(event, "/message/text");
    auto mid = string_at(event, "/message/mid");
    bool echo = false;
    if (event.at_pointer("/message/is_echo").get_bool().get(echo) != simdjson::SUCCESS)
      echo = false;
    if (!text || !mid || echo) {
      ++d.ignored_events;  // read receipts, postbacks, the page's own messages
      continue;
    }
    ingest::inbound_message m;
    m.id = std::string(*mid);
    m.channel = std::string(channel);
    m.text = std::string(*text);
    m.author = id_at(event, "/sender/id");
    m.conversation_id = m.author;
    m.reply_message_id = m.id;
    d.messages.push_back(std::move(m));
  }
}

class meta_adapter final : public adapter {
 public:
  meta_adapter(std::string secret, std::string verify_token)
      : secret_(std::move(secret)), verify_token_(std::move(verify_token)) {}

  std::optional<response> respond_directly(const request& req) const override {
    if (req.method != "GET") return std::nullopt;
    auto query = parse_form(req.query);
    auto field = [&](const char* name) -> std::string_view {
      auto it = query.find(name);
      return it == query.end() ? std::string_view() : std::string_view(it->second);
    };
    if (field("hub.mode") != "subscribe" ||
        !crypto::constant_time_equal(field("hub.verify_token"), verify_token_)) {
      return http::problem(errc::forbidden,
                           "hub.mode must be subscribe with the right hub.verify_token");
    }
    if (field("hub.challenge").empty()) {
      return http::problem(errc::missing_field, "hub.challenge is required",
                           "/query/hub.challenge");
    }
    auto echo = http::answer(200, "text/plain", std::string(field("hub.challenge")));
    echo.headers.emplace_back("X-Content-Type-Options", "nosniff");  // an echo of the caller's text
    return echo;
  }

  bool authentic(const request& req) const override {
    auto given = req.header("X-Hub-Signature-256");
    return given && signature_matches(secret_, req.body, *given, digest_encoding::hex, "sha256=");
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto object = string_at(payload->root(), "/object");
    auto entries = array_at(payload->root(), "/entry");
    if (!object) return unexpected(missing(payload->root(), "/object"));
    if (!entries) return unexpected(missing(payload->root(), "/entry"));
    delivery d;
    for (auto entry : *entries) {
      if (object == "whatsapp_business_account")
        add_whatsapp(entry, d);
      else if (object == "page")
        add_messaging(entry, "messenger", d);
      else if (object == "instagram")
        add_messaging(entry, "instagram", d);
      else
        ++d.ignored_events;
    }
    return d;
  }

 private:
  std::string secret_, verify_token_;
};

constexpr std::string_view writes[] = {"whatsapp", "messenger", "instagram"};

const bool registered = register_channel(
    {"meta", options,
     [](const setting_lookup& get) -> expected<std::unique_ptr<adapter>, std::string> {
       const std::string& secret = get("channels.meta.app_secret");
       const std::string& token = get("channels.meta.verify_token");
       if (secret.empty() || token.empty()) {
         return unexpected(
             std::string("channels.meta.app_secret and channels.meta.verify_token are required"));
       }
       return std::unique_ptr<adapter>(new meta_adapter(secret, token));
     },
     writes});

}  // namespace
}  // namespace civic::gateway::channels
