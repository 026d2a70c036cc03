#include "consumers/classify/text_fold.hpp"

#include <algorithm>
#include <vector>

#include "common/text/utf8.hpp"

namespace civic::classify {

std::optional<std::string> fold_for_matching(std::string_view utf8) {
  auto mapped =
      text::map_utf8(utf8, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                          UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
  if (!mapped) return std::nullopt;

  std::string out;
  out.reserve(mapped->size());
  bool in_space = true;  // drops leading white space
  bool valid = text::for_each_code_point(*mapped, [&](utf8proc_int32_t cp, std::string_view bytes) {
    const auto category = utf8proc_category(cp);
    const bool space = cp == '\t' || cp == '\n' || cp == '\r' || category == UTF8PROC_CATEGORY_ZS ||
                       category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
    if (space) {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.append(bytes);
      in_space = false;
    }
  });
  if (!valid) return std::nullopt;
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

bool letter_or_digit(utf8proc_int32_t cp) {
  return text::is_word_character(cp, text::combining_marks::excluded);
}

// The code points a term is made of, without the characters the matcher treats
// as syntax: '*' (any ending), and spaces and '-' (which also match nothing).
std::optional<std::vector<utf8proc_int32_t>> literal_code_points(std::string_view term) {
  std::vector<utf8proc_int32_t> out;
  bool valid = text::for_each_code_point(term, [&](utf8proc_int32_t cp, std::string_view) {
    if (cp != '*' && cp != ' ' && cp != '-') out.push_back(cp);
  });
  if (!valid) return std::nullopt;
  return out;
}

}  // namespace

std::string term_problem(std::string_view term) {
  const auto literal = literal_code_points(term);
  if (!literal) return "is not valid UTF-8";
  if (literal->empty())
    return "a term must contain a letter or digit (spaces, '-' and '*' alone match everything)";
  const bool has_word_char = std::any_of(literal->begin(), literal->end(), letter_or_digit);
  // One punctuation mark on its own ("?") is a deliberate term: a question mark
  // says a message asks something. Longer terms without a letter or digit are
  // typing mistakes.
  if (!has_word_char && literal->size() > 1)
    return "a term must contain a letter or digit (only a single punctuation mark such as \"?\" "
           "may stand alone)";
  // Checked without '*', spaces and '-', so that 물* or 물- are refused like 물.
  if (literal->size() == 1 && (*literal)[0] >= 0xAC00 && (*literal)[0] <= 0xD7A3)
    return "a single Hangul syllable matches inside too many words; write a longer word or phrase";
  return {};
}

}  // namespace civic::classify
