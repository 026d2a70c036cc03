#include "consumers/dedup/normalize.hpp"

#include "common/text/utf8.hpp"

namespace civic::dedup {
namespace {

bool starts_with_at(std::string_view s, size_t pos, std::string_view prefix) {
  return s.substr(pos, prefix.size()) == prefix;
}

bool is_ascii_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Removes links and mentions from case-folded text: both run to the next space.
std::string strip_links_and_mentions(std::string_view folded) {
  std::string out;
  out.reserve(folded.size());
  size_t i = 0;
  while (i < folded.size()) {
    bool token_start = i == 0 || is_ascii_space(folded[i - 1]);
    bool link = starts_with_at(folded, i, "http://") || starts_with_at(folded, i, "https://") ||
                (token_start && starts_with_at(folded, i, "www."));
    bool mention =
        token_start && folded[i] == '@' && i + 1 < folded.size() && !is_ascii_space(folded[i + 1]);
    if (link || mention) {
      while (i < folded.size() && !is_ascii_space(folded[i])) ++i;
      out.push_back(' ');
      continue;
    }
    out.push_back(folded[i]);
    ++i;
  }
  return out;
}

}  // namespace

std::string normalize_for_dedup(std::string_view utf8) {
  auto mapped = text::map_utf8(
      utf8, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                           UTF8PROC_CASEFOLD | UTF8PROC_NLF2LS | UTF8PROC_STRIPCC));
  if (!mapped) return {};
  std::string stripped = strip_links_and_mentions(*mapped);

  std::string out;
  out.reserve(stripped.size());
  bool pending_space = false;
  bool valid =
      text::for_each_code_point(stripped, [&](utf8proc_int32_t cp, std::string_view bytes) {
        if (text::is_word_character(cp, text::combining_marks::included)) {
          if (pending_space && !out.empty()) out.push_back(' ');
          pending_space = false;
          out.append(bytes);
        } else {
          pending_space = true;
        }
      });
  if (!valid) return {};
  return out;
}

script dominant_script(std::string_view normalized) {
  size_t hangul = 0, latin = 0, other = 0;
  text::for_each_code_point(normalized, [&](utf8proc_int32_t cp, std::string_view) {
    if (text::is_hangul(cp)) {
      ++hangul;
    } else if (cp >= 'a' && cp <= 'z') {
      ++latin;
    } else if (cp > 0x7F && utf8proc_category(cp) <= UTF8PROC_CATEGORY_LO &&
               utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU) {
      ++other;
    }
  });
  // A Hangul syllable carries about as much as three Latin letters.
  size_t hangul_weight = hangul * 3;
  if (hangul_weight == 0 && latin == 0 && other == 0) return script::none;
  if (hangul_weight >= latin && hangul_weight >= other) return script::hangul;
  if (latin >= other) return script::latin;
  return script::other;
}

}  // namespace civic::dedup
