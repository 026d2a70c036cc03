#pragma once
// RFC 6455 §4.2.1: a client's Sec-WebSocket-Key is the base64 of 16 random bytes.
// Beast only checks that it is present and not too long, so a handshake with
// "x" as its key would be accepted; the server refuses it with 400 instead.

#include <string_view>

namespace civic::gateway::http {

// True for 22 characters of the base64 alphabet followed by "==" (what 16 bytes
// encode to); surrounding blanks, as an HTTP header value may carry, are allowed.
bool is_valid_websocket_key(std::string_view key);

}  // namespace civic::gateway::http
