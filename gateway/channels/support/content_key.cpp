#include "gateway/channels/support/content_key.hpp"

#include "common/crypto/hmac.hpp"

namespace civic::gateway::channels {

std::string content_key(std::initializer_list<std::string_view> fields) {
  std::string joined;
  for (std::string_view f : fields) joined.append(std::to_string(f.size())).append(":").append(f);
  auto digest = crypto::sha256(joined);
  return crypto::to_hex(digest.data(), 16);
}

}  // namespace civic::gateway::channels
