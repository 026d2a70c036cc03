#pragma once
// The two utf8proc idioms every text function of the project needs, written
// once: mapping a whole string (normalization forms, case folding) and walking
// it code point by code point.

#include <utf8proc.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace civic::text {

// utf8proc_map's result as a string; nullopt when the input is not valid UTF-8.
std::optional<std::string> map_utf8(std::string_view utf8, utf8proc_option_t options);

// Calls visit(code_point, its_bytes) for each code point in order; visit may
// return false to stop there. Returns false when an invalid sequence is reached
// (visit is not called for it), true otherwise.
template <class Visit>
bool for_each_code_point(std::string_view utf8, Visit&& visit) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  const auto size = static_cast<utf8proc_ssize_t>(utf8.size());
  for (utf8proc_ssize_t pos = 0; pos < size;) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (n <= 0) return false;
    std::string_view piece = utf8.substr(static_cast<size_t>(pos), static_cast<size_t>(n));
    pos += n;
    if constexpr (std::is_same_v<std::invoke_result_t<Visit&, utf8proc_int32_t, std::string_view>,
                                 bool>) {
      if (!visit(cp, piece)) return true;
    } else {
      visit(cp, piece);
    }
  }
  return true;
}

// Hangul syllables, conjoining jamo and compatibility jamo.
constexpr bool is_hangul(int32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
         (cp >= 0x3130 && cp <= 0x318F);
}

}  // namespace civic::text
