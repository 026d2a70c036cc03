#include "consumers/classify/text_fold.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace civic::classify {

std::optional<std::string> fold_for_matching(std::string_view utf8) {
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                      UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
  const auto size = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                                 static_cast<utf8proc_ssize_t>(utf8.size()), &mapped, options);
  if (size < 0) return std::nullopt;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);

  std::string out;
  out.reserve(static_cast<std::size_t>(size));
  bool in_space = true;  // drops leading white space
  utf8proc_ssize_t pos = 0;
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(mapped + pos, size - pos, &cp);
    if (n <= 0) return std::nullopt;
    const auto category = utf8proc_category(cp);
    const bool space = cp == '\t' || cp == '\n' || cp == '\r' || category == UTF8PROC_CATEGORY_ZS ||
                       category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
    if (space) {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.append(reinterpret_cast<const char*>(mapped + pos), static_cast<std::size_t>(n));
      in_space = false;
    }
    pos += n;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string term_problem(std::string_view term) {
  if (term.empty() || term == "*") return "a term must not be empty";
  // A Hangul syllable is three bytes in UTF-8 (U+AC00..U+D7A3: EA B0 80 .. ED 9E A3).
  if (term.size() == 3) {
    const auto b0 = static_cast<unsigned char>(term[0]);
    if (b0 >= 0xEA && b0 <= 0xED)
      return "a single Hangul syllable matches inside too many words; write a longer word or phrase";
  }
  return {};
}

}  // namespace civic::classify
