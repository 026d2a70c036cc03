#include "gateway/channels/support/content_key.hpp"

#include <openssl/evp.h>

#include <array>

#include "common/crypto/hmac.hpp"

namespace civic::gateway::channels {

std::string content_key(std::initializer_list<std::string_view> fields) {
  std::string joined;
  for (std::string_view f : fields) joined.append(std::to_string(f.size())).append(":").append(f);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(joined.data(), joined.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return crypto::to_hex(digest.data(), 16);
}

}  // namespace civic::gateway::channels
