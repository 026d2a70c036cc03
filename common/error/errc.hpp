#pragma once
// The project's own error conditions, as std::error_code values. Kafka errors
// keep librdkafka's codes under their own category (common/kafka/kafka_error.hpp).

#include <string_view>
#include <system_error>

namespace civic {

enum class errc {
  // Input was rejected; resending the same bytes will fail again.
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
  // Who is asking: no credential, a bad or expired one, or one that does not
  // grant what was asked (a channel, a division).
  unauthenticated = 50,
  invalid_credential,
  credential_expired,
  forbidden,
  // Refused for now; the same message may be sent again later.
  overloaded = 100,
  unavailable,
  shutting_down,
  // Configuration.
  bad_config = 200,
};

const std::error_category& civic_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), civic_category()};
}

// A short, stable, machine-readable name ("missing_field"): used in nack frames,
// problem+json "code" members and metric labels.
std::string_view error_name(std::error_code ec) noexcept;

// True when sending the same message again later may succeed.
bool is_retryable(std::error_code ec) noexcept;

}  // namespace civic

template <>
struct std::is_error_code_enum<civic::errc> : std::true_type {};
