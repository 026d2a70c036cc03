#include "common/crypto/base64url.hpp"

#include <doctest/doctest.h>

using namespace civic::crypto;

TEST_CASE("base64url follows RFC 4648 test vectors without padding") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\x00\x01"}) {
    CHECK(base64url_decode(base64url_encode(s)) == s);
  }
}

TEST_CASE("base64url refuses padding, foreign characters, impossible lengths and stray bits") {
  CHECK_FALSE(base64url_decode("Zg=="));
  CHECK_FALSE(base64url_decode("Zm9v+g"));
  CHECK_FALSE(base64url_decode("Zm9vY"));  // 1 mod 4
  CHECK_FALSE(base64url_decode("Zh"));     // 'h' leaves non-zero unused bits
  CHECK(base64url_decode("Zg") == "f");
}
