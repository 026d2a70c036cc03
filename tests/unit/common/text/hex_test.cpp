#include "common/text/hex.hpp"

#include <doctest/doctest.h>

using civic::text::append_hex;
using civic::text::hex_digits;

TEST_CASE("hex digits are lower case and zero-padded to the width asked") {
  CHECK(hex_digits(0, 16) == "0000000000000000");
  CHECK(hex_digits(0xDEADBEEFULL, 8) == "deadbeef");
  CHECK(hex_digits(0x0123456789ABCDEFULL, 16) == "0123456789abcdef");
  CHECK(hex_digits(0xA, 2) == "0a");
  CHECK(hex_digits(0xFFFFFFFFFFFFFFFFULL, 16) == "ffffffffffffffff");
  std::string out = "x";
  append_hex(out, 0x1F, 2);
  append_hex(out, 0xBEEF, 4);
  CHECK(out == "x1fbeef");
}

TEST_CASE("a hex digit reads back as its value, in either case unless lower case is asked") {
  using civic::text::hex_letters;
  using civic::text::hex_value;
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('9') == 9);
  CHECK(hex_value('a') == 10);
  CHECK(hex_value('F') == 15);
  CHECK(hex_value('f', hex_letters::lower_case) == 15);
  CHECK(hex_value('F', hex_letters::lower_case) == -1);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0'}) CHECK(hex_value(c) == -1);
  for (int v = 0; v < 16; ++v) {
    CHECK(hex_value(hex_digits(static_cast<uint64_t>(v), 1)[0], hex_letters::lower_case) == v);
  }
}
