// Where a number simdjson cannot hold sits, so that its refusal names the field.

#include "common/json/number_range.hpp"

#include <doctest/doctest.h>

using civic::json::unrepresentable_number_pointer;

TEST_CASE("the first number beyond a double or a 64-bit integer is found by its pointer") {
  CHECK(unrepresentable_number_pointer(R"({"location":{"lat":1e400,"lon":3}})") == "/location/lat");
  CHECK(unrepresentable_number_pointer(R"({"location":{"lat":3,"lon":-1e400}})") ==
        "/location/lon");
  CHECK(unrepresentable_number_pointer(R"({"media":[1,2,1e999],"x":1e999})") == "/media/2");
  CHECK(unrepresentable_number_pointer(R"({"a":[{"b":0},{"c/d~":18446744073709551616}]})") ==
        "/a/1/c~1d~0");
  CHECK(unrepresentable_number_pointer(R"({"n":-9223372036854775809})") == "/n");
  CHECK(unrepresentable_number_pointer("123456789012345678901234567890") == "");
}

TEST_CASE("numbers a double or a 64-bit integer holds, and text that is not JSON, find nothing") {
  CHECK_FALSE(unrepresentable_number_pointer(
      R"({"a":1e308,"b":-0,"c":1e-400,"d":18446744073709551615,"e":-9223372036854775808})"));
  CHECK_FALSE(unrepresentable_number_pointer(R"({"a":[1,2,3],"b":{"c":"1e400"}})"));
  CHECK_FALSE(unrepresentable_number_pointer(R"({"a":)"));
  CHECK_FALSE(unrepresentable_number_pointer("not json"));
}
