#pragma once
// SHA-256, HMAC-SHA256, random bytes and constant-time comparison (OpenSSL).

#include <array>
#include <string>
#include <string_view>

namespace civic::crypto {

using sha256_digest = std::array<unsigned char, 32>;

sha256_digest hmac_sha256(std::string_view key, std::string_view data);
// The same, for a key used again and again (the author key): each thread keeps
// one keyed context, so the HMAC algorithm is looked up and the key's inner and
// outer blocks are hashed once per thread and key instead of on every call.
sha256_digest hmac_sha256_reusing_key(std::string_view key, std::string_view data);
sha256_digest sha256(std::string_view data);
// `size` bytes from OpenSSL's CSPRNG; empty if it fails.
std::string random_bytes(size_t size);

std::string to_hex(const unsigned char* bytes, size_t size);
std::string to_base64(const unsigned char* bytes, size_t size);

// Compares in time that depends only on the lengths, never on where the first
// difference is: for signatures, tokens and shared secrets.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace civic::crypto
