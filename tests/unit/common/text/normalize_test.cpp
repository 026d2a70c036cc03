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

TEST_CASE("text that is already clean comes out exactly as utf8proc would make it") {
  // clean_text skips utf8proc for text made only of characters NFC never changes;
  // a trailing control character forces the utf8proc path (it is stripped there),
  // so both paths must agree on every sample.
  const char* samples[] = {
      "광화문역 2번 출구 앞 보도블록이 깨졌어요!! ㅠㅠ ㅋㅋ",
      "Strong gas smell outside Euljiro 3-ga station — please hurry… “now”",
      "버스 정류장 🚌🙏 너무 추워요 ☃",
      "Café au lait at Seoul Forest, 5,000원 (＃ｔｅｓｔ) 「서울」 ・ 한강",
      "첫 줄\n둘째 줄",
      "市廳 앞 集會 소음",
      "   앞뒤 공백   ",
  };
  for (const char* sample : samples) {
    CAPTURE(sample);
    auto fast = clean_text(sample);
    auto slow = clean_text(std::string(sample) + "\x01");
    REQUIRE(fast);
    REQUIRE(slow);
    CHECK(*fast == *slow);
  }
}

TEST_CASE("characters NFC changes are still normalised") {
  CHECK(clean_text("e\xCC\x81") == "\xC3\xA9");         // e + combining acute -> é
  CHECK(clean_text("\xE2\x84\xAB") == "\xC3\x85");      // ANGSTROM SIGN -> Å
  CHECK(clean_text("\xEF\xA4\x80") == "\xE8\xB1\x88");  // CJK compatibility U+F900 -> U+8C48
  CHECK(clean_text("가\xE1\x86\xA8") == "각");          // syllable + trailing jamo
  CHECK(clean_text("a\tb") == "a b");                   // tab -> space
}

TEST_CASE("language guess: Korean, English, undetermined") {
  CHECK(guess_language("광화문역 2번 출구 앞 보도블록이 깨졌어요") == "ko");
  CHECK(guess_language("Seoul Museum of Art 입장료가 궁금합니다") == "ko");
  CHECK(guess_language("Strong gas smell outside Euljiro 3-ga station") == "en");
  CHECK(guess_language("12345 !!!") == "und");
}
