#include "gateway/http/websocket_key.hpp"

#include <doctest/doctest.h>

using civic::gateway::http::is_valid_websocket_key;

TEST_CASE("a WebSocket key is the base64 of 16 bytes, as RFC 6455 asks") {
  CHECK(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));  // RFC 6455 §1.3's example
  CHECK(is_valid_websocket_key(" x3JJHMbDL1EzLkh9GBhXDw== "));
  CHECK(is_valid_websocket_key("ab+/AAAAAAAAAAAAAAAAAA=="));

  CHECK_FALSE(is_valid_websocket_key(""));
  CHECK_FALSE(is_valid_websocket_key("x"));
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ"));     // no padding
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 characters
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZ-_=="));  // base64url alphabet
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBs ZSBub25jZQ=="));  // a blank inside
  CHECK_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ==\r\n"));
}
