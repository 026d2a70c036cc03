// X Account Activity webhooks: the CRC GET answers
// {"response_token": "sha256=" + base64 HMAC-SHA256(consumer secret, crc_token)};
// deliveries carry x-twitter-webhooks-signature, the same construction over the
// body. The tweet or direct-message event id is the idempotency key.
#include "common/error/errc.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/support/form.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/channels/support/signature.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {
namespace {

constexpr config::option options[] = {
    {"channels.x.enabled", "false", "Take X Account Activity webhooks at /v1/webhooks/x.",
     config::value_type::boolean},
    {"channels.x.consumer_secret", "", "The X app's consumer secret (API key secret)."},
};

// A tweet or direct message; answered by direct message to its author (a public reply
// would show the case).
ingest::inbound_message answered_by_dm(std::string_view kind, const std::string& id,
                                       std::string_view text,
                                       const std::optional<std::string>& author) {
  ingest::inbound_message m;
  m.id = std::string(kind) + id;
  m.channel = "x";
  m.text = std::string(text);
  m.author = author;
  m.conversation_id = author;
  m.reply_message_id = id;
  return m;
}

class x_adapter final : public adapter {
 public:
  explicit x_adapter(std::string secret) : secret_(std::move(secret)) {}

  std::optional<response> respond_directly(const request& req) const override {
    if (req.method != "GET") return std::nullopt;
    auto query = parse_form(req.query);
    auto token = query.find("crc_token");
    if (token == query.end() || token->second.empty()) {
      return http::problem(errc::missing_field, "crc_token is required", "crc_token");
    }
    return http::json(200, "{\"response_token\":\"" +
                               sign(secret_, token->second, digest_encoding::base64, "sha256=") +
                               "\"}");
  }

  bool authentic(const request& req) const override {
    auto given = req.header("x-twitter-webhooks-signature");
    return given &&
           signature_matches(secret_, req.body, *given, digest_encoding::base64, "sha256=");
  }

  expected<delivery, response> extract(const request& req) const override {
    auto payload = json_payload::parse(req.body);
    if (!payload) return unexpected(std::move(payload).error());
    auto root = payload->root();
    auto own_account = id_at(root, "/for_user_id");
    delivery d;
    if (auto tweets = array_at(root, "/tweet_create_events")) {
      for (auto tweet : *tweets) {
        auto text = string_at(tweet, "/extended_tweet/full_text");
        if (!text) text = string_at(tweet, "/text");
        auto id = id_at(tweet, "/id_str");
        auto author = id_at(tweet, "/user/id_str");
        if (!text || !id || author == own_account) {
          ++d.ignored_events;  // the city's own tweets
          continue;
        }
        d.messages.push_back(answered_by_dm("tweet-", *id, *text, author));
      }
    }
    if (auto dms = array_at(root, "/direct_message_events")) {
      for (auto dm : *dms) {
        auto text = string_at(dm, "/message_create/message_data/text");
        auto id = id_at(dm, "/id");
        auto sender = id_at(dm, "/message_create/sender_id");
        if (string_at(dm, "/type") != "message_create" || !text || !id || sender == own_account) {
          ++d.ignored_events;
          continue;
        }
        d.messages.push_back(answered_by_dm("dm-", *id, *text, sender));
      }
    }
    for (const char* other : {"/favorite_events", "/follow_events", "/tweet_delete_events",
                              "/direct_message_indicate_typing_events"}) {
      if (auto events = array_at(root, other)) d.ignored_events += events->size();
    }
    return d;
  }

 private:
  std::string secret_;
};

const bool registered =
    register_channel({"x", options, make_with_secret<x_adapter>("channels.x.consumer_secret")});

}  // namespace
}  // namespace civic::gateway::channels
