#include "gateway/auth/bridge_keys.hpp"

#include "common/crypto/base64url.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/text/comma_list.hpp"
#include "common/text/hex.hpp"
#include "common/text/trim.hpp"

namespace civic::gateway::auth {
namespace {

std::optional<crypto::sha256_digest> digest_from_hex(std::string_view hex) {
  crypto::sha256_digest d{};
  if (hex.size() != 2 * d.size()) return std::nullopt;
  for (size_t i = 0; i < d.size(); ++i) {
    int hi = text::hex_value(hex[2 * i]), lo = text::hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return d;
}

}  // namespace

expected<std::vector<bridge_key>, std::string> parse_bridge_keys(std::string_view spec) {
  std::vector<bridge_key> keys;
  size_t position = 0;
  while (!spec.empty()) {
    size_t semicolon = spec.find(';');
    std::string_view entry = text::trim(spec.substr(0, semicolon));
    spec = semicolon == std::string_view::npos ? std::string_view() : spec.substr(semicolon + 1);
    if (entry.empty()) continue;
    ++position;
    const std::string where = "auth.bridge_keys entry " + std::to_string(position) + ": ";
    size_t first = entry.find(':');
    size_t second = first == std::string_view::npos ? first : entry.find(':', first + 1);
    if (second == std::string_view::npos)
      return unexpected(where + "write NAME:SHA256HEX:CHANNELS");
    bridge_key key;
    key.name = std::string(text::trim(entry.substr(0, first)));
    if (!envelope::is_bridge_name(key.name)) {
      return unexpected(where + "the name must match ^[a-z0-9][a-z0-9._-]{0,63}$");
    }
    for (const auto& k : keys) {
      if (k.name == key.name) return unexpected(where + "bridge " + key.name + " appears twice");
    }
    auto digest = digest_from_hex(text::trim(entry.substr(first + 1, second - first - 1)));
    if (!digest) {
      return unexpected(where + "(" + key.name +
                        ") needs the SHA-256 of the key as 64 hex digits, not the key itself");
    }
    key.digest = *digest;
    for (std::string& channel : text::comma_list(entry.substr(second + 1))) {
      if (channel != "*" && !envelope::is_channel_name(channel)) {
        return unexpected(where + "(" + key.name + ") '" + channel +
                          "' is not a channel name or *");
      }
      key.channels.push_back(std::move(channel));
    }
    if (key.channels.empty()) {
      return unexpected(where + "(" + key.name + ") grants no channel (write * or names)");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

const bridge_key* find_bridge_key(std::span<const bridge_key> keys, std::string_view presented) {
  auto digest = crypto::sha256(presented);
  std::string_view given(reinterpret_cast<const char*>(digest.data()), digest.size());
  const bridge_key* found = nullptr;
  for (const auto& k : keys) {
    std::string_view known(reinterpret_cast<const char*>(k.digest.data()), k.digest.size());
    if (crypto::constant_time_equal(given, known) && !found) found = &k;
  }
  return found;
}

std::optional<std::string> make_bridge_key() {
  std::string bytes = crypto::random_bytes(32);
  if (bytes.size() != 32) return std::nullopt;
  return std::string(api_key_prefix) + crypto::base64url_encode(bytes);
}

std::string bridge_key_entry(std::string_view name, std::string_view key,
                             std::string_view channels) {
  auto digest = crypto::sha256(key);
  return std::string(name) + ":" + crypto::to_hex(digest.data(), digest.size()) + ":" +
         std::string(channels);
}

}  // namespace civic::gateway::auth
