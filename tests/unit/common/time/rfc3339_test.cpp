#include "common/time/rfc3339.hpp"

#include <doctest/doctest.h>

using namespace std::chrono;

TEST_CASE("UTC timestamps are written with milliseconds and a Z") {
  auto t = system_clock::time_point(milliseconds(1'763'773'953'512));
  CHECK(civic::format_rfc3339_utc(t) == "2025-11-22T01:12:33.512Z");
}

TEST_CASE("RFC 3339 with offsets parses to the same instant as UTC") {
  auto seoul = civic::parse_rfc3339("2025-02-20T10:12:33+09:00");
  auto utc = civic::parse_rfc3339("2025-02-20T01:12:33Z");
  REQUIRE(seoul);
  REQUIRE(utc);
  CHECK(*seoul == *utc);
  auto fraction = civic::parse_rfc3339("2025-02-20T01:12:33.250Z");
  REQUIRE(fraction);
  CHECK(*fraction - *utc == milliseconds(250));
}

TEST_CASE("malformed timestamps are refused") {
  for (const char* bad :
       {"", "2025-02-20", "2025-02-30T01:00:00Z", "2025-02-20T25:00:00Z", "2025-02-20T01:00:00",
        "2025-02-20T01:00:00+0900", "2025-02-20T01:00:00Zjunk", "2025-02-20T01:00:00.Z",
        // years beyond what a nanosecond clock holds (found by fuzzing)
        "1013-11-22T01:12:33.512Z", "9999-12-31T23:59:59Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(civic::parse_rfc3339(bad));
  }
}
