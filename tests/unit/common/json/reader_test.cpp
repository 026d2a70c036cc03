#include "common/json/reader.hpp"

#include <doctest/doctest.h>

#include <string>

using civic::json::nesting_depth;

TEST_CASE("nesting depth counts brackets outside strings only, escapes included") {
  CHECK(nesting_depth(R"({"a":1})") == 1);
  CHECK(nesting_depth(R"({"a":[{"b":[]}]})") == 4);
  CHECK(nesting_depth(R"({"text":"[[[[{{{{"})") == 1);
  CHECK(nesting_depth(R"({"text":"a \" [[[ \\"})") == 1);  // an escaped quote, then "\\"
  CHECK(nesting_depth(R"({"text":"a \\\" [[[ "})") == 1);  // \\ then \" : still inside
  CHECK(nesting_depth(R"({"t":"\\\\"} [[[)") == 3);        // the string ended at its quote
  CHECK(nesting_depth(R"({"unterminated":"[[[[)") == 1);
  CHECK(nesting_depth(std::string(5000, '[')) == 5000);
  CHECK(nesting_depth("") == 0);
}
