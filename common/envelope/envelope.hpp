#pragma once
// Envelope v1: what every accepted citizen message becomes on feedback.ingested.
// schemas/envelope.v1.schema.json is the contract; this type mirrors it member
// for member, and every member is always present in the JSON (null when unknown).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civic::envelope {

inline constexpr int current_version = 1;

enum class feedback_kind { complaint, idea, praise, question };
std::string_view to_string(feedback_kind kind);
std::optional<feedback_kind> parse_kind(std::string_view text);

struct location {
  std::optional<double> lat;  // lat and lon are both set or both unset
  std::optional<double> lon;
  std::optional<std::string> address;
  std::optional<std::string> district;  // Seoul gu, romanized ("Jongno-gu")
  bool operator==(const location&) const = default;
};

// Where an answer must go to reach the citizen the way the message came: the
// channel, and a reply token (common/crypto/reply_token.hpp) that only the
// answers service can open. The address itself (a user id, a phone number, an
// e-mail address) never appears in the envelope.
struct reply_reference {
  std::string channel;
  std::string token;  // "rt1.<kid>.<sealed>"
  bool operator==(const reply_reference&) const = default;
};

// The city's service a request was filed under (Open311's service_code), and
// the division the city's services file gives it.
struct service_reference {
  std::string code;
  std::string division;
  bool operator==(const service_reference&) const = default;
};

// Answers to a service's questions (Open311 attribute[CODE]=value; several
// values for a multivaluelist), in the order sent.
struct attribute {
  std::string code;
  std::vector<std::string> values;
  bool operator==(const attribute&) const = default;
};

struct message {
  int version = current_version;
  std::string id;                  // gateway-assigned UUIDv7: time-ordered
  std::string received_at;         // RFC 3339 UTC, millisecond precision
  std::string channel;             // "line", "open311", ...
  std::string channel_message_id;  // the channel's own id for the message
  std::string idempotency_key;     // equal for a retry or redelivery of the same message
  // Who vouched for it, the CloudEvents source: "/gateway/channels/<channel>"
  // for a verified webhook delivery, "/gateway/bridges/<name>" for a bridge.
  std::string source;  // empty: the channel's webhook (source_of() fills it in)
  std::optional<feedback_kind> kind;
  std::string text;                      // personal data already masked
  std::string language;                  // ISO 639 code, "und" when unknown
  std::optional<location> place;         // JSON member "location"
  std::vector<std::string> media;        // http(s) links
  std::optional<std::string> author_id;  // keyed HMAC of channel + handle, hex
  std::optional<reply_reference> reply_to;
  std::optional<service_reference> service;
  std::vector<attribute> attributes;  // JSON null when empty
  bool operator==(const message&) const = default;
};

// e.source, or the channel's webhook source for an envelope built without one.
inline std::string source_of(const message& e) {
  return e.source.empty() ? "/gateway/channels/" + e.channel : e.source;
}

// Limits shared by the schema, the parser and the gateway's validation.
namespace limits {
inline constexpr size_t text_chars = 8000;
inline constexpr size_t id_chars = 256;
inline constexpr size_t idempotency_key_chars = 512;
inline constexpr size_t bridge_name_chars = 64;
inline constexpr size_t source_chars = 128;
inline constexpr size_t service_code_chars = 64;
inline constexpr size_t attributes = 32;
inline constexpr size_t attribute_code_chars = 64;
inline constexpr size_t attribute_values = 16;
inline constexpr size_t attribute_value_chars = 500;
inline constexpr size_t address_chars = 500;
inline constexpr size_t district_chars = 64;
inline constexpr size_t media_items = 10;
inline constexpr size_t url_chars = 2048;
inline constexpr size_t reply_token_chars = 2048;
}  // namespace limits

}  // namespace civic::envelope
