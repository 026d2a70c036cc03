// The one way the project parses with RapidJSON: deep nesting is an error, not a
// crash, and the UTF-8 check is there when asked for.

#include "common/json/parse.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("a text nested a million levels deep is a parse error, not a stack overflow") {
  const std::string deep(1'000'000, '[');
  rapidjson::Document doc;
  civic::json::parse(doc, deep);
  CHECK(doc.HasParseError());
  civic::json::parse_checking_utf8(doc, deep);
  CHECK(doc.HasParseError());
  civic::json::parse(doc, R"({"a":[[[1]]]})");
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["a"][0][0][0].GetInt() == 1);
}

TEST_CASE("invalid UTF-8 is refused only by parse_checking_utf8") {
  const std::string bad = "{\"t\":\"\xff\"}";
  rapidjson::Document doc;
  civic::json::parse(doc, bad);
  CHECK_FALSE(doc.HasParseError());
  civic::json::parse_checking_utf8(doc, bad);
  REQUIRE(doc.HasParseError());
  CHECK(doc.GetParseError() == rapidjson::kParseErrorStringInvalidEncoding);
}
