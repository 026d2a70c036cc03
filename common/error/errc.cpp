#include "common/error/errc.hpp"

#include "common/kafka/kafka_error.hpp"

namespace civic {
namespace {

class civic_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "civic"; }
  std::string message(int value) const override {
    return std::string(error_name(make_error_code(static_cast<errc>(value))));
  }
};

}  // namespace

const std::error_category& civic_category() noexcept {
  static const civic_error_category category;
  return category;
}

std::string_view error_name(std::error_code ec) noexcept {
  if (ec.category() == kafka_category()) return "kafka_error";
  if (ec.category() != civic_category()) return "internal_error";
  switch (static_cast<errc>(ec.value())) {
    case errc::malformed_json:
      return "malformed_json";
    case errc::invalid_utf8:
      return "invalid_utf8";
    case errc::too_deep:
      return "too_deep";
    case errc::too_large:
      return "too_large";
    case errc::missing_field:
      return "missing_field";
    case errc::unknown_field:
      return "unknown_field";
    case errc::duplicate_field:
      return "duplicate_field";
    case errc::wrong_type:
      return "wrong_type";
    case errc::too_long:
      return "too_long";
    case errc::too_short:
      return "too_short";
    case errc::out_of_range:
      return "out_of_range";
    case errc::invalid_value:
      return "invalid_value";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::invalid_credential:
      return "invalid_credential";
    case errc::credential_expired:
      return "credential_expired";
    case errc::forbidden:
      return "forbidden";
    case errc::overloaded:
      return "overloaded";
    case errc::unavailable:
      return "unavailable";
    case errc::shutting_down:
      return "shutting_down";
    case errc::bad_config:
      return "bad_config";
  }
  return "unknown_error";
}

bool is_retryable(std::error_code ec) noexcept {
  if (ec.category() == kafka_category()) return is_retryable_kafka_error(ec);
  if (ec.category() != civic_category()) return true;  // internal: let the sender try again
  return ec.value() >= static_cast<int>(errc::overloaded) &&
         ec.value() < static_cast<int>(errc::bad_config);
}

}  // namespace civic
