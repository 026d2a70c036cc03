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

// Korean endings, auxiliaries and fillers, as the syllables they leave in a
// token's bigrams (or as a whole short token): "…해주세요", "…있어요", "너무",
// "좀" end or pad almost every Korean report, so two unrelated short reports
// shared them and passed the text threshold (a light-pollution report joined a
// construction-noise case on "너무 심해요" alone). What stays is the issue's own words.
bool is_korean_filler(std::string_view syllables) {
  static constexpr std::array<std::string_view, 73> fillers = {
      // polite and plain endings
      "어요", "아요", "해요", "예요", "에요", "이에", "세요", "주세", "해주", "니다", "습니",
      "합니", "입니", "는데", "데요", "네요", "거든", "든요", "나요", "까요", "어서", "해서",
      "했어", "됐어", "되요", "돼요", "있어", "있습", "없어", "같아", "같습", "하고", "하는",
      "하면", "으면", "주시", "시면", "좋겠", "겠어", "겠습", "드립", "립니", "드려", "려요",
      "부탁", "봐요", "고요", "해야",
      // particles that end a token
      "에서", "으로", "부터", "까지", "에는", "한테",
      // fillers and intensifiers
      "너무", "진짜", "정말", "계속", "빨리", "자꾸", "제발", "완전",
      // one-syllable tokens
      "좀", "또", "다", "더", "잘", "안", "못", "왜", "꼭", "거", "것"};
  return std::find(fillers.begin(), fillers.end(), syllables) != fillers.end();
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

// The n-grams of `text` (the whole text when it is that short), but none that
// `skip` refuses.
template <class Skip>
void add_ngrams(std::string_view text, size_t n, std::vector<uint64_t>& out, Skip&& skip) {
  std::vector<span> cps = code_points(text);
  if (cps.size() <= n) {
    if (!skip(text)) out.push_back(XXH3_64bits(text.data(), text.size()));
    return;
  }
  for (size_t i = 0; i + n <= cps.size(); ++i) {
    size_t begin = cps[i].begin;
    size_t end = cps[i + n - 1].end;
    std::string_view gram = text.substr(begin, end - begin);
    if (!skip(gram)) out.push_back(XXH3_64bits(gram.data(), gram.size()));
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
      add_ngrams(token, 2, out, is_korean_filler);
    } else if (!is_stopword(token)) {
      padded.assign(" ").append(token).append(" ");
      add_ngrams(padded, 3, out, [](std::string_view) { return false; });
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace civic::dedup
