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

// True when the whole string is valid UTF-8 (no overlong forms, surrogates or
// code points past U+10FFFF; simdjson's SIMD validator).
bool is_valid_utf8(std::string_view utf8);

// The code point starting at utf8[pos] of a string known to be valid UTF-8, and
// how many bytes it takes. No checks: validate first.
inline int32_t decode_valid(std::string_view utf8, size_t pos, size_t& length) {
  const auto* b = reinterpret_cast<const unsigned char*>(utf8.data()) + pos;
  if (b[0] < 0x80) {
    length = 1;
    return b[0];
  }
  if (b[0] < 0xE0) {
    length = 2;
    return ((b[0] & 0x1F) << 6) | (b[1] & 0x3F);
  }
  if (b[0] < 0xF0) {
    length = 3;
    return ((b[0] & 0x0F) << 12) | ((b[1] & 0x3F) << 6) | (b[2] & 0x3F);
  }
  length = 4;
  return ((b[0] & 0x07) << 18) | ((b[1] & 0x3F) << 12) | ((b[2] & 0x3F) << 6) | (b[3] & 0x3F);
}

// Calls visit(code_point, its_bytes) for each code point in order; visit may
// return false to stop there. Returns false when an invalid sequence is reached
// (visit is not called for it), true otherwise.
template <class Visit>
bool for_each_code_point(std::string_view utf8, Visit&& visit) {
  constexpr bool stoppable =
      std::is_same_v<std::invoke_result_t<Visit&, utf8proc_int32_t, std::string_view>, bool>;
  if (is_valid_utf8(utf8)) {  // the usual case: decoded inline, without utf8proc
    for (size_t pos = 0, n = 0; pos < utf8.size(); pos += n) {
      int32_t cp = decode_valid(utf8, pos, n);
      if constexpr (stoppable) {
        if (!visit(cp, utf8.substr(pos, n))) return true;
      } else {
        visit(cp, utf8.substr(pos, n));
      }
    }
    return true;
  }
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  const auto size = static_cast<utf8proc_ssize_t>(utf8.size());
  for (utf8proc_ssize_t pos = 0; pos < size;) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (n <= 0) return false;
    std::string_view piece = utf8.substr(static_cast<size_t>(pos), static_cast<size_t>(n));
    pos += n;
    if constexpr (stoppable) {
      if (!visit(cp, piece)) return true;
    } else {
      visit(cp, piece);
    }
  }
  return true;
}

// Whether a code point is part of a word: a letter (L*) or a number (N*), and with
// combining_marks::included also a nonspacing or spacing combining mark (Mn, Mc).
enum class combining_marks { excluded, included };
bool is_word_character(utf8proc_int32_t cp, combining_marks marks);

// Hangul syllables, conjoining jamo and compatibility jamo.
constexpr bool is_hangul(int32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
         (cp >= 0x3130 && cp <= 0x318F);
}

}  // namespace civic::text
