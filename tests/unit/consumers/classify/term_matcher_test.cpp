#include "consumers/classify/term_matcher.hpp"

#include <doctest/doctest.h>

#include "consumers/classify/text_fold.hpp"

using civic::classify::fold_for_matching;
using civic::classify::term_matcher;

namespace {

// Whether `term` is found in `text`, both folded as the classifier folds them.
bool finds(std::string_view term, std::string_view text) {
  auto folded_term = fold_for_matching(term);
  REQUIRE(folded_term);
  auto m = term_matcher::build({*folded_term});
  REQUIRE(m);
  std::vector<int> found;
  REQUIRE(m->find(*fold_for_matching(text), found));
  return !found.empty();
}

}  // namespace

TEST_CASE("Korean terms match with any particle or compound attached") {
  CHECK(finds("쓰레기", "골목에 쓰레기가 쌓여 있어요"));
  CHECK(finds("쓰레기", "쓰레기를 치워 주세요"));
  CHECK(finds("쓰레기", "음식물쓰레기 수거"));
  CHECK_FALSE(finds("쓰레기", "쓰레 기"));
}

TEST_CASE("English terms match whole words, their plural, and any ending only when asked") {
  CHECK(finds("leak", "There is a leak"));
  CHECK(finds("leak", "Several LEAKS on the street"));
  CHECK_FALSE(finds("leak", "data leakage"));
  CHECK(finds("leak*", "the pipe is leaking"));
  CHECK_FALSE(finds("park", "illegal parking everywhere"));
  CHECK(finds("park", "two parks nearby"));
  CHECK(finds("bus", "the bus driver"));
  CHECK_FALSE(finds("bus", "a business owner"));
}

TEST_CASE("a space or hyphen in a term matches a space, a hyphen or nothing") {
  CHECK(finds("가스 냄새", "가스냄새가 나요"));
  CHECK(finds("가스 냄새", "가스 냄새가 나요"));
  CHECK(finds("bike lane", "the bike-lane is blocked"));
  CHECK(finds("jung-gu", "Jung gu office"));
}

TEST_CASE("case, width and white space do not matter") {
  CHECK(finds("CCTV", "cctv가 고장"));
  CHECK(finds("cctv", "ＣＣＴＶ 설치"));
  CHECK(finds("water main", "WATER\n  MAIN burst"));
}

TEST_CASE("an English term next to Hangul still ends at a word boundary") {
  CHECK(finds("cctv", "골목CCTV가 없어요"));
  CHECK(finds("?", "언제 열어요?"));
}

TEST_CASE("many terms are found in one pass, each reported once") {
  std::vector<std::string> terms = {"쓰레기", "recycling", "누수", "bus"};
  auto m = term_matcher::build(terms);
  REQUIRE(m);
  std::vector<int> found;
  REQUIRE(m->find(*fold_for_matching("누수 and recycling, 누수 again, 쓰레기"), found));
  CHECK(found == std::vector<int>{0, 1, 2});
}

TEST_CASE("a single Hangul syllable is refused as a term") {
  CHECK(civic::classify::term_problem("불") != "");
  CHECK(civic::classify::term_problem("화재") == "");
  CHECK(civic::classify::term_problem("?") == "");
}
