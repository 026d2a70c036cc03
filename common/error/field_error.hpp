#pragma once
// An input error that names the field at fault: what a nack frame or an
// application/problem+json body tells the sender.

#include <string>
#include <string_view>
#include <system_error>

namespace civic {

struct field_error {
  std::error_code code;
  std::string pointer;  // RFC 6901 JSON pointer to the field at fault; "" is the whole document.
  std::string
      message;  // Human-readable, never echoes the field's value (it may hold personal data).
};

// Why a record was dead-lettered: "<record>: <pointer>: <message>"
// ("envelope: /text: must be a string").
inline std::string deadletter_reason(std::string_view record, const field_error& e) {
  return std::string(record) + ": " + e.pointer + ": " + e.message;
}

}  // namespace civic
