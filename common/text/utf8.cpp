#include "common/text/utf8.hpp"

#include <simdjson.h>

#include <cstdlib>
#include <memory>

namespace civic::text {

bool is_valid_utf8(std::string_view utf8) {
  return simdjson::validate_utf8(utf8.data(), utf8.size());
}

std::optional<std::string> map_utf8(std::string_view utf8, utf8proc_option_t options) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                   static_cast<utf8proc_ssize_t>(utf8.size()), &mapped, options);
  if (length < 0) return std::nullopt;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<size_t>(length));
}

bool is_word_character(utf8proc_int32_t cp, combining_marks marks) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
      return marks == combining_marks::included;
    default:
      return false;
  }
}

}  // namespace civic::text
