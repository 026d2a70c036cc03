#include "gateway/channels/support/signature.hpp"

#include "common/crypto/hmac.hpp"

namespace civic::gateway::channels {

std::string sign(std::string_view secret, std::string_view data, digest_encoding encoding,
                 std::string_view prefix) {
  auto digest = crypto::hmac_sha256(secret, data);
  std::string out(prefix);
  out += encoding == digest_encoding::hex ? crypto::to_hex(digest.data(), digest.size())
                                          : crypto::to_base64(digest.data(), digest.size());
  return out;
}

bool signature_matches(std::string_view secret, std::string_view data, std::string_view given,
                       digest_encoding encoding, std::string_view prefix) {
  if (secret.empty() || given.empty()) return false;
  return crypto::constant_time_equal(sign(secret, data, encoding, prefix), given);
}

bool secret_matches(std::optional<std::string_view> given, std::string_view secret) {
  return given && crypto::constant_time_equal(*given, secret);
}

}  // namespace civic::gateway::channels
