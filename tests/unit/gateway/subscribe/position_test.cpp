#include "gateway/subscribe/position.hpp"

#include <doctest/doctest.h>

using namespace civic::gateway::subscribe;

TEST_CASE("a position token round-trips and is URL-safe") {
  position p;
  p.stream = stream_id("division.roads", "feedback.cases");
  p.division = {{0, 0}, {41, record_anchor(1700000000000, "case-1")}, {1LL << 40, 7}};
  p.cases = {{3, 9}, {0, 0}, {123456, 1}, {5, 5}, {6, 6}, {7, 7}};
  std::string token = encode_position(p);
  CHECK(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  CHECK(token.size() < 140);
  auto back = decode_position(token);
  REQUIRE(back);
  CHECK(*back == p);
}

TEST_CASE("a damaged token is refused, never misread") {
  position p;
  p.stream = 1;
  p.division = {{10, 1}};
  std::string token = encode_position(p);
  CHECK_FALSE(decode_position(token.substr(0, token.size() - 2)));
  CHECK_FALSE(decode_position(token + "AA"));
  CHECK_FALSE(decode_position("now"));
  CHECK_FALSE(decode_position("!!!!"));
  CHECK(decode_position(token.substr(0, 0)).error() == "truncated");
}

TEST_CASE("streams of different topics get different ids; anchors are never 0") {
  CHECK(stream_id("division.roads", "feedback.cases") !=
        stream_id("division.water", "feedback.cases"));
  CHECK(stream_id("division.roads", "feedback.cases") != stream_id("division.roads", "x.cases"));
  CHECK(record_anchor(0, "") != 0);
  CHECK(record_anchor(1, "a") != record_anchor(2, "a"));
}

TEST_CASE("covers compares every partition, a missing one counting as 0") {
  position a, b;
  a.division = {{5, 0}, {5, 0}};
  b.division = {{5, 0}, {6, 0}};
  CHECK(b.covers(a));
  CHECK_FALSE(a.covers(b));
  position shorter;
  shorter.division = {{5, 0}};
  CHECK(a.covers(shorter));
  CHECK_FALSE(shorter.covers(a));
}
