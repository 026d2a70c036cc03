#include "gateway/channels/support/form.hpp"

#include <doctest/doctest.h>

#include <memory>

using namespace civic::gateway::channels;

TEST_CASE("form fields are decoded, '+' as space, first value wins") {
  auto f =
      parse_form("api_key=k1&description=%EB%8F%84%EB%A1%9C+%ED%8C%8C%EC%86%90&lat=37.5&lat=9");
  CHECK(f.at("api_key") == "k1");
  CHECK(f.at("description") == "도로 파손");
  CHECK(f.at("lat") == "37.5");
}

TEST_CASE("a form in a buffer without a terminating NUL is read only to its end") {
  // Exactly sized heap buffer: reading past it is what AddressSanitizer reports.
  std::string text = "crc_token=abc";
  auto buffer = std::make_unique<char[]>(text.size());
  std::copy(text.begin(), text.end(), buffer.get());
  auto f = parse_form(std::string_view(buffer.get(), text.size()));
  CHECK(f.at("crc_token") == "abc");
}

TEST_CASE("WHATWG parsing: raw brackets, a stray %, %2B and names without '=' as browsers do") {
  auto pairs = parse_form_pairs(
      "attribute[DEPTH]=deep&attribute[KIND][]=a&attribute[KIND][]=b&pct=100%&plus=1%2B1&flag&&=x");
  REQUIRE(pairs.size() == 7);
  CHECK(pairs[0] == std::pair<std::string, std::string>{"attribute[DEPTH]", "deep"});
  CHECK(pairs[1].first == "attribute[KIND][]");
  CHECK(pairs[2].second == "b");
  CHECK(pairs[3].second == "100%");
  CHECK(pairs[4].second == "1+1");
  CHECK(pairs[5] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(pairs[6] == std::pair<std::string, std::string>{"", "x"});
  CHECK(parse_form("a=%zz").at("a") == "%zz");
  CHECK(parse_form("a%5Bb%5D=1").at("a[b]") == "1");
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD, as the URL Standard decodes them") {
  // FF is one subpart; E1 84 began a three-byte sequence: one U+FFFD for both.
  CHECK(parse_form("t=%FF%E1%84x").at("t") == "\xEF\xBF\xBD\xEF\xBF\xBDx");
  CHECK(parse_form("t=%EC%95%88").at("t") == "안");
  CHECK(first_value(parse_form_pairs("a=&a=2"), "a") == "2");
  CHECK_FALSE(first_value(parse_form_pairs("a="), "a").has_value());
}
