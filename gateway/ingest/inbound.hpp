#pragma once
// What a bridge or the city website sends for one citizen message, as read from
// one WebSocket text frame or one HTTP body / NDJSON line.
// schemas/inbound-message.v1.schema.json is the contract.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"

namespace civic::gateway::ingest {

struct inbound_limits {
  size_t max_message_bytes = 64 * 1024;
  size_t max_depth = 8;
  size_t max_text_chars = envelope::limits::text_chars;
};

struct inbound_message {
  std::string id;       // the sender's own id: with the channel, the idempotency key
  std::string channel;  // where the citizen wrote: twitter, kakao, web, ...
  std::string text;
  std::optional<envelope::feedback_kind> kind;
  std::optional<std::string> author;    // the citizen's handle; only its HMAC goes further
  std::optional<std::string> language;  // ISO 639; guessed from the text when absent
  std::optional<envelope::location> place;
  std::vector<std::string> media;
  std::optional<std::string> conversation_id;  // reply reference on the channel
  std::optional<std::string> reply_message_id;
  // Set by channel adapters only, sealed with the rest into the reply token:
  std::optional<std::string> reply_via;     // the city's account written to (WhatsApp number id)
  std::optional<std::string> reply_handle;  // a single-use reply handle (LINE replyToken)
  std::optional<std::string> traceparent;
  // Set by channel adapters only (Open311); the inbound JSON has no such members.
  std::optional<envelope::service_reference> service;
  std::vector<envelope::attribute> attributes;
};

struct inbound_failure {
  field_error error;
  std::string id;  // the sender's id when it could be read, so a nack can name the message
};

expected<inbound_message, inbound_failure> parse_inbound(std::string_view json,
                                                         const inbound_limits& limits);

// The limits parse_inbound enforces, for a message built another way (by a
// channel adapter from a webhook payload).
std::optional<field_error> check_limits(const inbound_message& m, const inbound_limits& limits);

// Only the sender's id, when the message has a readable one (else empty): for
// answering a message that is refused without being parsed (during shutdown).
std::string read_message_id(std::string_view json, const inbound_limits& limits);

}  // namespace civic::gateway::ingest
