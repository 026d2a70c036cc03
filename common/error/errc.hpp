#pragma once
// The project's one error vocabulary, as std::error_code values, and the one
// table that says what each error means to a sender: its stable name (the
// "code" of a nack frame or problem+json body, and the metric label), the HTTP
// status, the WebSocket close code when it ends a connection, whether sending
// again later may succeed, and a title. Kafka errors keep librdkafka's codes
// under their own category (common/kafka/kafka_error.hpp) and map here too.
//
// Adding an error: a value below, a row in errc.cpp's table (the compiler
// checks that every value has one), a line in README.md's error table.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

namespace civic {

enum class errc {
  // The message itself is wrong; resending the same bytes will fail again.
  malformed_json = 1,
  invalid_utf8,
  too_deep,
  too_large,
  missing_field,
  unknown_field,
  duplicate_field,
  wrong_type,
  too_long,
  too_short,
  out_of_range,
  invalid_value,
  // The request is wrong before any message is read: HTTP framing and routing.
  bad_request = 30,
  header_too_large,
  not_found,
  method_not_allowed,
  unsupported_media_type,
  upgrade_required,
  // The request is understood but the resource's state refuses it (the answer loop).
  state_conflict,          // e.g. reopening a case that is open (409)
  idempotency_key_reused,  // the same Idempotency-Key with another request (422)
  not_an_idea,             // support for a case that is not an idea (409)
  // Who is asking: no credential, a bad or expired one, or one that does not
  // grant what was asked (a channel, a division).
  unauthenticated = 50,
  invalid_credential,
  credential_expired,
  forbidden,
  // Refused for now; the same message may be sent again later.
  rate_limited = 100,  // this client is over its rate (429)
  overloaded,          // the gateway has no room now (503)
  unavailable,         // Kafka cannot be reached (503)
  shutting_down,       // the gateway is stopping (503)
  // Configuration.
  bad_config = 200,
};

const std::error_category& civic_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), civic_category()};
}

// What an error means to whoever sent the request.
struct error_traits {
  std::string_view name;   // "missing_field": nack and problem "code", metric label
  unsigned http_status;    // 400, 401, 429, 503, ...
  bool retryable;          // true: the same message may succeed when sent again later
  uint16_t ws_close_code;  // when the error ends a WebSocket connection (RFC 6455 §7.4)
  std::string_view title;  // problem+json "title"
};

// Every std::error_code has traits: civic errors from the table, Kafka errors
// as "kafka_error" (503 when retryable), anything else as "internal_error".
const error_traits& traits(std::error_code ec) noexcept;

// Shorthands for traits(ec).name and traits(ec).retryable.
std::string_view error_name(std::error_code ec) noexcept;
bool is_retryable(std::error_code ec) noexcept;

// Every name traits() can give, in a fixed order (for metric label tables).
std::span<const std::string_view> error_names() noexcept;
// The position of traits(ec).name in error_names().
size_t error_index(std::error_code ec) noexcept;

}  // namespace civic

template <>
struct std::is_error_code_enum<civic::errc> : std::true_type {};
