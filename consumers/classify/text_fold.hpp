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

// Why a folded term cannot be a rule term (empty when it can). Judged on the term
// without '*', spaces and '-' (the matcher's syntax): it must contain a letter or
// digit (or be one punctuation mark such as "?"), and must not be a single Hangul
// syllable, which occurs inside too many unrelated words (물, 물*, 물-).
std::string term_problem(std::string_view folded_term);

}  // namespace civic::classify
