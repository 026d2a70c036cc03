#include "common/error/errc.hpp"

#include <array>

#include "common/kafka/kafka_error.hpp"

namespace civic {
namespace {

// ws_close_code 0: the error concerns one message, answered with a nack frame;
// the connection stays open.
constexpr error_traits row(errc e) noexcept {
  switch (e) {
    // name, HTTP status, retryable, WebSocket close code, title
    case errc::malformed_json:
      return {"malformed_json", 400, false, 0, "The message is not JSON"};
    case errc::invalid_utf8:
      return {"invalid_utf8", 400, false, 1007, "The message is not UTF-8"};
    case errc::too_deep:
      return {"too_deep", 400, false, 0, "The message is nested too deeply"};
    case errc::too_large:
      return {"too_large", 413, false, 1009, "Too large"};
    case errc::missing_field:
      return {"missing_field", 400, false, 0, "A required field is missing"};
    case errc::unknown_field:
      return {"unknown_field", 400, false, 0, "A field is not known"};
    case errc::duplicate_field:
      return {"duplicate_field", 400, false, 0, "A field appears twice"};
    case errc::wrong_type:
      return {"wrong_type", 400, false, 0, "A field has the wrong type"};
    case errc::too_long:
      return {"too_long", 400, false, 0, "A field is too long"};
    case errc::too_short:
      return {"too_short", 400, false, 0, "A field is too short"};
    case errc::out_of_range:
      return {"out_of_range", 400, false, 0, "A value is out of range"};
    case errc::invalid_value:
      return {"invalid_value", 400, false, 0, "A value is not valid"};
    case errc::bad_request:
      return {"bad_request", 400, false, 1002, "The request is not valid HTTP"};
    case errc::header_too_large:
      return {"header_too_large", 431, false, 0, "Request headers too large"};
    case errc::not_found:
      return {"not_found", 404, false, 0, "Not found"};
    case errc::method_not_allowed:
      return {"method_not_allowed", 405, false, 0, "Method not allowed"};
    case errc::unsupported_media_type:
      return {"unsupported_media_type", 415, false, 0, "Unsupported content type"};
    case errc::upgrade_required:
      return {"upgrade_required", 426, false, 0, "Upgrade to WebSocket"};
    case errc::state_conflict:
      return {"state_conflict", 409, false, 0, "The resource's state does not allow this"};
    case errc::idempotency_key_reused:
      return {"idempotency_key_reused", 422, false, 0,
              "The Idempotency-Key was used for another request"};
    case errc::not_an_idea:
      return {"not_an_idea", 409, false, 0, "Only an idea gathers support"};
    case errc::unauthenticated:
      return {"unauthenticated", 401, false, 1008, "A credential is required"};
    case errc::invalid_credential:
      return {"invalid_credential", 401, false, 1008, "The credential is not valid"};
    case errc::credential_expired:
      return {"credential_expired", 401, false, 1008, "The credential has expired"};
    case errc::forbidden:
      return {"forbidden", 403, false, 1008, "The credential does not grant this"};
    case errc::rate_limited:
      return {"rate_limited", 429, true, 0, "Too many requests from this client"};
    case errc::overloaded:
      return {"overloaded", 503, true, 1013, "The gateway is busy"};
    case errc::unavailable:
      return {"unavailable", 503, true, 1013, "Kafka is unreachable"};
    case errc::shutting_down:
      return {"shutting_down", 503, true, 1001, "The gateway is shutting down"};
    case errc::bad_config:
      return {"bad_config", 500, false, 1011, "The gateway is misconfigured"};
  }
  return {"unknown_error", 500, true, 1011, "Error"};
}

constexpr std::array all_errors{
    errc::malformed_json,
    errc::invalid_utf8,
    errc::too_deep,
    errc::too_large,
    errc::missing_field,
    errc::unknown_field,
    errc::duplicate_field,
    errc::wrong_type,
    errc::too_long,
    errc::too_short,
    errc::out_of_range,
    errc::invalid_value,
    errc::bad_request,
    errc::header_too_large,
    errc::not_found,
    errc::method_not_allowed,
    errc::unsupported_media_type,
    errc::upgrade_required,
    errc::state_conflict,
    errc::idempotency_key_reused,
    errc::not_an_idea,
    errc::unauthenticated,
    errc::invalid_credential,
    errc::credential_expired,
    errc::forbidden,
    errc::rate_limited,
    errc::overloaded,
    errc::unavailable,
    errc::shutting_down,
    errc::bad_config,
};

// Errors of other categories.
constexpr error_traits kafka_retryable{"kafka_error", 503, true, 1013,
                                       "Kafka did not store the message"};
constexpr error_traits kafka_permanent{"kafka_error", 500, false, 1011,
                                       "Kafka refused the message"};
constexpr error_traits internal{"internal_error", 500, true, 1011, "Internal error"};
constexpr error_traits unknown = row(static_cast<errc>(0));

struct table {
  std::array<error_traits, all_errors.size()> rows{};
  std::array<std::string_view, all_errors.size() + 3> names{};
  constexpr table() {
    for (size_t i = 0; i < all_errors.size(); ++i) {
      rows[i] = row(all_errors[i]);
      names[i] = rows[i].name;
    }
    names[all_errors.size()] = kafka_retryable.name;
    names[all_errors.size() + 1] = internal.name;
    names[all_errors.size() + 2] = unknown.name;
  }
};
constexpr table errors;

class civic_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "civic"; }
  std::string message(int value) const override {
    return std::string(traits(make_error_code(static_cast<errc>(value))).name);
  }
};

}  // namespace

const std::error_category& civic_category() noexcept {
  static const civic_error_category category;
  return category;
}

const error_traits& traits(std::error_code ec) noexcept {
  if (ec.category() == kafka_category()) {
    if (ec.value() == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return errors.rows[3];  // too_large
    return is_retryable_kafka_error(ec) ? kafka_retryable : kafka_permanent;
  }
  if (ec.category() != civic_category()) return internal;
  for (size_t i = 0; i < all_errors.size(); ++i) {
    if (static_cast<int>(all_errors[i]) == ec.value()) return errors.rows[i];
  }
  return unknown;
}

std::string_view error_name(std::error_code ec) noexcept { return traits(ec).name; }

bool is_retryable(std::error_code ec) noexcept { return traits(ec).retryable; }

std::span<const std::string_view> error_names() noexcept { return errors.names; }

size_t error_index(std::error_code ec) noexcept {
  std::string_view name = error_name(ec);
  for (size_t i = 0; i < errors.names.size(); ++i) {
    if (errors.names[i] == name) return i;
  }
  return errors.names.size() - 1;
}

}  // namespace civic
