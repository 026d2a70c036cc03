#pragma once
// Finds which of many rule terms occur in a text, in one pass over the text
// (RE2::Set: all terms compiled into one automaton).
//
// Terms and text are both folded (text_fold.hpp). How a term matches:
// - Hangul and other non-ASCII text matches anywhere, also inside a longer word,
//   so 쓰레기 matches 쓰레기가, 쓰레기를 and 음식물쓰레기 (Korean particles and
//   compounds attach to the noun).
// - A term starting or ending with an ASCII letter or digit only matches there at
//   a word boundary, and an English word also matches its plural ("leak" finds
//   "leaks", not "leakage"); a trailing '*' matches any ending ("leak*" finds
//   "leaking", "leaky").
// - A space or '-' inside a term matches a space, a '-' or nothing ("gas leak"
//   finds "gas-leak"; "가스 냄새" finds "가스냄새").

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::classify {

// The regular expression a term becomes (exposed for tests and explanations).
std::string term_pattern(std::string_view folded_term);

class term_matcher {
 public:
  // Each term gets the index of its position in `terms`.
  static expected<term_matcher, std::string> build(const std::vector<std::string>& terms);

  term_matcher(term_matcher&&) noexcept;
  term_matcher& operator=(term_matcher&&) noexcept;
  ~term_matcher();

  // Appends the indices of the terms found in `folded_text` (each once, ascending).
  // False only when RE2 ran out of its memory budget (the text is then unmatched).
  bool find(std::string_view folded_text, std::vector<int>& found) const;

  std::size_t size() const { return size_; }

 private:
  term_matcher() = default;
  struct compiled;  // the RE2::Set
  std::unique_ptr<compiled> set_;
  std::size_t size_ = 0;
};

}  // namespace civic::classify
