#include "common/text/normalize.hpp"

#include <doctest/doctest.h>

using namespace civic::text;

TEST_CASE("decomposed Hangul is composed so equal text compares equal") {
  // "한" as conjoining jamo (U+1112 U+1161 U+11AB), as some systems send it.
  auto cleaned = clean_text("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB");
  REQUIRE(cleaned);
  CHECK(*cleaned == "한");
}

TEST_CASE("line breaks are unified, control characters dropped, ends trimmed") {
  auto cleaned = clean_text("  첫 줄\r\n둘째 줄\x07\r끝  \n");
  REQUIRE(cleaned);
  CHECK(*cleaned == "첫 줄\n둘째 줄\n끝");
}

TEST_CASE("invalid UTF-8 is refused") { CHECK_FALSE(clean_text("abc\xC3\x28")); }

TEST_CASE("language guess: Korean, English, undetermined") {
  CHECK(guess_language("광화문역 2번 출구 앞 보도블록이 깨졌어요") == "ko");
  CHECK(guess_language("Seoul Museum of Art 입장료가 궁금합니다") == "ko");
  CHECK(guess_language("Strong gas smell outside Euljiro 3-ga station") == "en");
  CHECK(guess_language("12345 !!!") == "und");
}
