#pragma once
// Cutting blanks off the ends of a piece of text.

#include <string_view>

namespace civic::text {

// Space and horizontal tab: HTTP's optional white space (RFC 9110 §5.6.3), and
// what a setting's list may put around its items.
inline constexpr std::string_view blanks = " \t";

inline std::string_view trim_start(std::string_view s, std::string_view chars = blanks) {
  size_t first = s.find_first_not_of(chars);
  return first == std::string_view::npos ? std::string_view() : s.substr(first);
}

inline std::string_view trim_end(std::string_view s, std::string_view chars = blanks) {
  size_t last = s.find_last_not_of(chars);
  return last == std::string_view::npos ? std::string_view() : s.substr(0, last + 1);
}

inline std::string_view trim(std::string_view s, std::string_view chars = blanks) {
  return trim_end(trim_start(s, chars), chars);
}

}  // namespace civic::text
