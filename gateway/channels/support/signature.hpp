#pragma once
// Webhook signatures: HMAC-SHA256 of the raw body (or a channel's own base
// string), encoded as the channel does, compared in constant time.

#include <optional>
#include <string>
#include <string_view>

namespace civic::gateway::channels {

enum class digest_encoding { hex, base64 };

// "<prefix><encoded HMAC-SHA256(secret, data)>"
std::string sign(std::string_view secret, std::string_view data, digest_encoding encoding,
                 std::string_view prefix = {});

// True when `given` equals sign(...); false for an empty secret or signature.
bool signature_matches(std::string_view secret, std::string_view data, std::string_view given,
                       digest_encoding encoding, std::string_view prefix = {});

// True when a shared secret sent as it is (a header) was given and equals `secret`.
bool secret_matches(std::optional<std::string_view> given, std::string_view secret);

}  // namespace civic::gateway::channels
