#include "consumers/dedup/shingles.hpp"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <string>

#include "common/text/utf8.hpp"

namespace civic::dedup {
namespace {

struct span {
  size_t begin;
  size_t end;
};

// English function words: every English text has them, so they make unrelated
// reports look alike and say nothing about the issue. (Korean particles attach
// to words and are handled by the bigrams.)
bool is_stopword(std::string_view token) {
  static constexpr std::array<std::string_view, 96> words = {
      "a",     "about", "after",  "again", "all",    "also",  "am",    "an",   "and",   "any",
      "are",   "as",    "at",     "be",    "been",   "being", "but",   "by",   "can",   "could",
      "did",   "do",    "does",   "for",   "from",   "had",   "has",   "have", "he",    "her",
      "here",  "him",   "his",    "how",   "i",      "if",    "in",    "into", "is",    "it",
      "its",   "just",  "me",     "more",  "my",     "no",    "not",   "now",  "of",    "on",
      "or",    "our",   "out",    "over",  "please", "so",    "some",  "such", "than",  "that",
      "the",   "their", "them",   "then",  "there",  "these", "they",  "this", "those", "to",
      "too",   "up",    "us",     "very",  "was",    "we",    "were",  "what", "when",  "where",
      "which", "while", "who",    "why",   "will",   "with",  "would", "you",  "your",  "hello",
      "hi",    "dear",  "thanks", "thank", "since",  "im"};
  return std::find(words.begin(), words.end(), token) != words.end();
}

bool has_hangul(std::string_view token) {
  bool found = false;
  text::for_each_code_point(token, [&](utf8proc_int32_t cp, std::string_view) {
    found = cp >= 0xAC00 && cp <= 0xD7A3;  // syllables only
    return !found;
  });
  return found;
}

// Byte offsets of each code point of `text`.
std::vector<span> code_points(std::string_view text) {
  std::vector<span> out;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto size = static_cast<utf8proc_ssize_t>(text.size());
  utf8proc_ssize_t pos = 0;
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (n <= 0) n = 1;
    out.push_back({static_cast<size_t>(pos), static_cast<size_t>(pos + n)});
    pos += n;
  }
  return out;
}

void add_ngrams(std::string_view text, size_t n, std::vector<uint64_t>& out) {
  std::vector<span> cps = code_points(text);
  if (cps.size() <= n) {
    out.push_back(XXH3_64bits(text.data(), text.size()));
    return;
  }
  for (size_t i = 0; i + n <= cps.size(); ++i) {
    size_t begin = cps[i].begin;
    size_t end = cps[i + n - 1].end;
    out.push_back(XXH3_64bits(text.data() + begin, end - begin));
  }
}

}  // namespace

std::vector<uint64_t> shingle_hashes(std::string_view normalized) {
  std::vector<uint64_t> out;
  std::string padded;
  size_t pos = 0;
  while (pos < normalized.size()) {
    size_t space = normalized.find(' ', pos);
    if (space == std::string_view::npos) space = normalized.size();
    std::string_view token = normalized.substr(pos, space - pos);
    pos = space + 1;
    if (token.empty()) continue;
    if (has_hangul(token)) {
      add_ngrams(token, 2, out);
    } else if (!is_stopword(token)) {
      padded.assign(" ").append(token).append(" ");
      add_ngrams(padded, 3, out);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace civic::dedup
