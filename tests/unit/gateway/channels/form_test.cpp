#include "gateway/channels/support/form.hpp"

#include <doctest/doctest.h>

#include <memory>

using civic::gateway::channels::parse_form;

TEST_CASE("form fields are decoded, '+' as space, first value wins") {
  auto f =
      parse_form("api_key=k1&description=%EB%8F%84%EB%A1%9C+%ED%8C%8C%EC%86%90&lat=37.5&lat=9");
  REQUIRE(f);
  CHECK(f->at("api_key") == "k1");
  CHECK(f->at("description") == "도로 파손");
  CHECK(f->at("lat") == "37.5");
}

TEST_CASE("a form in a buffer without a terminating NUL is read only to its end") {
  // Exactly sized heap buffer: reading past it is what AddressSanitizer reports.
  std::string text = "crc_token=abc";
  auto buffer = std::make_unique<char[]>(text.size());
  std::copy(text.begin(), text.end(), buffer.get());
  auto f = parse_form(std::string_view(buffer.get(), text.size()));
  REQUIRE(f);
  CHECK(f->at("crc_token") == "abc");
}

TEST_CASE("malformed percent-encoding is refused") { CHECK_FALSE(parse_form("a=%zz")); }
