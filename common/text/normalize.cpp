#include "common/text/normalize.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace civic::text {

std::optional<std::string> clean_text(std::string_view utf8) {
  utf8proc_uint8_t* mapped = nullptr;
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                UTF8PROC_NLF2LF | UTF8PROC_STRIPCC);
  utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                   static_cast<utf8proc_ssize_t>(utf8.size()), &mapped, options);
  if (length < 0) return std::nullopt;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  std::string_view result(reinterpret_cast<const char*>(mapped), static_cast<size_t>(length));
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t'; };
  while (!result.empty() && is_space(result.front())) result.remove_prefix(1);
  while (!result.empty() && is_space(result.back())) result.remove_suffix(1);
  return std::string(result);
}

std::string_view guess_language(std::string_view utf8) {
  size_t hangul = 0, latin = 0;
  utf8proc_ssize_t pos = 0;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  const auto size = static_cast<utf8proc_ssize_t>(utf8.size());
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (n <= 0) return "und";
    pos += n;
    if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
        (cp >= 0x3130 && cp <= 0x318F)) {
      ++hangul;
    } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      ++latin;
    }
  }
  // A Korean message often carries Latin place names or brands; a few Hangul
  // syllables outweigh several Latin letters.
  if (hangul > 0 && hangul * 4 >= latin) return "ko";
  if (latin > 0) return "en";
  return "und";
}

}  // namespace civic::text
