#pragma once
// base64url without padding (RFC 4648 §5), as JWTs, position tokens and reply
// tokens carry bytes in URLs and headers.

#include <optional>
#include <string>
#include <string_view>

namespace civic::crypto {

std::string base64url_encode(std::string_view bytes);

// nullopt for any character outside the alphabet, for padding, or for a length
// no encoding produces (1 mod 4), or for non-zero unused trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace civic::crypto
