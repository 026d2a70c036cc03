#include "common/text/pii_mask.hpp"

#include <doctest/doctest.h>

using civic::text::mask_personal_data;

namespace {
std::string masked(std::string text) {
  mask_personal_data(text);
  return text;
}
}  // namespace

TEST_CASE("Korean mobile numbers in every usual spelling are masked") {
  CHECK(masked("연락처 010-1234-5678 입니다") == "연락처 [phone] 입니다");
  CHECK(masked("전화 01012345678로 주세요") == "전화 [phone]로 주세요");
  CHECK(masked("call +82 10-9876-5432 please") == "call [phone] please");
  CHECK(masked("010.1234.5678") == "[phone]");
  CHECK(masked("011 123 4567") == "[phone]");
}

TEST_CASE("Korean landlines and international numbers are masked") {
  CHECK(masked("구청 02-2133-1234 에 문의") == "구청 [phone] 에 문의");
  CHECK(masked("(031) 123-4567") == "[phone]");
  CHECK(masked("my US number is +1 415 555 0199.") == "my US number is [phone].");
}

TEST_CASE("e-mail addresses are masked") {
  CHECK(masked("메일은 gireum.mom82@naver.com 으로") == "메일은 [email] 으로");
  CHECK(masked("write to dan.reyes+311@city.seoul.kr") == "write to [email]");
}

TEST_CASE("resident registration numbers are masked, with or without the hyphen") {
  std::string text = "주민번호 900101-1234567, 그리고 8507142345678입니다";
  auto c = mask_personal_data(text);
  CHECK(text == "주민번호 [rrn], 그리고 [rrn]입니다");
  CHECK(c.rrns == 2);
  CHECK(c.phones == 0);
}

TEST_CASE("dates, counts, bus numbers and long order numbers are left alone") {
  for (const char* keep : {"2025-02-20 오전 10시", "버스 7016번이 30분째 안 와요", "출구 10번 앞",
                           "주문번호 1234567890123456", "37.5716, 126.9768", "3,000원",
                           "Euljiro 3-ga station exit 10"}) {
    CAPTURE(keep);
    CHECK(masked(keep) == keep);
  }
}

TEST_CASE("counts say what was masked") {
  std::string text = "a@b.co 010-1111-2222 010-3333-4444";
  auto c = mask_personal_data(text);
  CHECK(c.emails == 1);
  CHECK(c.phones == 2);
  CHECK(c.total() == 3);
}

// mask_personal_data skips a pattern when the text has too few digits for it
// (or no @ or +): the shortest form of each must still be masked.
TEST_CASE("the shortest phone numbers, registration numbers and addresses are still masked") {
  CHECK(masked("02-123-4567") == "[phone]");                // 9 digits
  CHECK(masked("전화 +1 2 3 45 로") == "전화 [phone] 로");  // + and 5 digits
  CHECK(masked("9001011234567") == "[rrn]");                // 13 digits
  CHECK(masked("a@b.co") == "[email]");                     // no digit at all
  CHECK(masked("02-123-456") == "02-123-456");              // 8 digits: no phone
}
