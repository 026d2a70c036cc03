#include "common/crypto/hmac.hpp"

#include <doctest/doctest.h>

using namespace civic::crypto;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  auto d = hmac_sha256("Jefe", "what do ya want for nothing?");
  CHECK(to_hex(d.data(), d.size()) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_base64(d.data(), d.size()) == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("the per-thread keyed context gives the one-shot HMAC, also when the key changes") {
  for (int round = 0; round < 2; ++round) {
    for (std::string_view key : {"Jefe", "another-key-0123456789", "Jefe"}) {
      for (std::string_view data : {"what do ya want for nothing?", "", "telegram\nhandle"}) {
        CHECK(hmac_sha256_reusing_key(key, data) == hmac_sha256(key, data));
      }
    }
  }
  auto d = hmac_sha256_reusing_key("Jefe", "what do ya want for nothing?");
  CHECK(to_hex(d.data(), d.size()) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("constant-time compare: equal only for identical bytes of equal length") {
  CHECK(constant_time_equal("sha256=abc", "sha256=abc"));
  CHECK_FALSE(constant_time_equal("sha256=abc", "sha256=abd"));
  CHECK_FALSE(constant_time_equal("sha256=abc", "sha256=ab"));
  CHECK(constant_time_equal("", ""));
}
