#include "consumers/classify/term_matcher.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

namespace civic::classify {
namespace {

bool ascii_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The automaton for ~2000 short literals fits easily; this bounds it anyway.
constexpr int64_t set_memory_budget = 64 << 20;

}  // namespace

std::string term_pattern(std::string_view term) {
  bool any_ending = false;
  if (!term.empty() && term.back() == '*') {
    any_ending = true;
    term.remove_suffix(1);
  }
  std::string pattern;
  if (!term.empty() && ascii_word_char(term.front())) pattern += "\\b";
  std::string literal;
  auto flush = [&] {
    pattern += RE2::QuoteMeta(literal);
    literal.clear();
  };
  for (char c : term) {
    if (c == ' ' || c == '-') {
      flush();
      pattern += "[ \\-]?";
    } else {
      literal.push_back(c);
    }
  }
  flush();
  if (!term.empty() && ascii_word_char(term.back())) {
    if (any_ending)
      pattern += "\\w*";
    else if (ascii_letter(term.back()))
      pattern += "(?:s|es)?\\b";
    else
      pattern += "\\b";
  }
  return pattern;
}

struct term_matcher::compiled {
  explicit compiled(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
};

term_matcher::term_matcher(term_matcher&&) noexcept = default;
term_matcher& term_matcher::operator=(term_matcher&&) noexcept = default;
term_matcher::~term_matcher() = default;

expected<term_matcher, std::string> term_matcher::build(const std::vector<std::string>& terms) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_max_mem(set_memory_budget);
  term_matcher m;
  m.set_ = std::make_unique<compiled>(options);
  for (const auto& term : terms) {
    std::string error;
    if (m.set_->set.Add(term_pattern(term), &error) < 0)
      return unexpected("term '" + term + "' cannot be compiled: " + error);
  }
  if (!terms.empty() && !m.set_->set.Compile())
    return unexpected(std::string("the rule terms exceed the matcher's memory budget"));
  m.size_ = terms.size();
  return m;
}

bool term_matcher::find(std::string_view folded_text, std::vector<int>& found) const {
  if (size_ == 0) return true;
  const auto before = found.size();
  RE2::Set::ErrorInfo info{};
  const bool matched =
      set_->set.Match(re2::StringPiece(folded_text.data(), folded_text.size()), &found, &info);
  if (!matched && info.kind != RE2::Set::kNoError) return false;
  std::sort(found.begin() + static_cast<std::ptrdiff_t>(before), found.end());
  return true;
}

}  // namespace civic::classify
