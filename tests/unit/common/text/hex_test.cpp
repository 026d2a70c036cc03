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
