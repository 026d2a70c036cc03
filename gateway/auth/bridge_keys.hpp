#pragma once
// API keys for bridges. The configuration names each bridge, holds the SHA-256
// of its key (never the key itself) and the channels it may send as:
//
//   auth.bridge_keys = NAME:SHA256HEX:CHANNELS[;NAME:SHA256HEX:CHANNELS...]
//
// NAME: ^[a-z0-9][a-z0-9._-]{0,63}$ (part of the bridge's idempotency keys);
// CHANNELS: comma-separated channel names, "*" for every channel that is not a
// verified webhook's (grants.hpp). A key is "cgk_" and 43 base64url characters
// (32 random bytes); `gateway bridge-key NAME CHANNELS` makes one.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/hmac.hpp"
#include "common/error/expected.hpp"

namespace civic::gateway::auth {

inline constexpr std::string_view api_key_prefix = "cgk_";

struct bridge_key {
  std::string name;
  crypto::sha256_digest digest{};
  std::vector<std::string> channels;
};

// The error names the entry (by position and name), never a digest.
expected<std::vector<bridge_key>, std::string> parse_bridge_keys(std::string_view spec);

// The entry whose digest is SHA-256(presented). Every entry is compared, each
// in constant time, so the time taken says nothing about which one matched.
const bridge_key* find_bridge_key(std::span<const bridge_key> keys, std::string_view presented);

// A new random key, and the configuration entry that grants it.
std::optional<std::string> make_bridge_key();
std::string bridge_key_entry(std::string_view name, std::string_view key,
                             std::string_view channels);

}  // namespace civic::gateway::auth
