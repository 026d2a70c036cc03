#pragma once
// The one form both rule terms and message text are compared in: Unicode NFKC
// with case folding (so "CCTV", "cctv" and full-width "ＣＣＴＶ" are equal and
// Hangul is composed), runs of white space collapsed to one space.

#include <optional>
#include <string>
#include <string_view>

namespace civic::classify {

// nullopt when the input is not valid UTF-8.
std::optional<std::string> fold_for_matching(std::string_view utf8);

// Why a folded term cannot be a rule term (empty when it can): empty terms, and
// single Hangul syllables, which occur inside too many unrelated words.
std::string term_problem(std::string_view folded_term);

}  // namespace civic::classify
