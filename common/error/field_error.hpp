#pragma once
// An input error that names the field at fault: what a nack frame or an
// application/problem+json body tells the sender.

#include <string>
#include <system_error>

namespace civic {

struct field_error {
  std::error_code code;
  std::string pointer;  // RFC 6901 JSON pointer to the field at fault; "" is the whole document.
  std::string
      message;  // Human-readable, never echoes the field's value (it may hold personal data).
};

}  // namespace civic
