#include "gateway/channels/support/open311_ids.hpp"

#include "common/crypto/hmac.hpp"
#include "gateway/channels/support/signature.hpp"

namespace civic::gateway::channels {

std::string open311_ids::signature(std::string_view base) const {
  return sign(key_, base, digest_encoding::hex).substr(0, 12);
}

std::string open311_ids::issue(std::string_view service_code, std::string_view content) const {
  std::string base = std::string(service_code) + "-" + std::string(content);
  return base + "-" + signature(base);
}

std::optional<std::string> open311_ids::issued_service(std::string_view id) const {
  size_t last = id.rfind('-');
  if (last == std::string_view::npos) return std::nullopt;
  if (!crypto::constant_time_equal(id.substr(last + 1), signature(id.substr(0, last)))) {
    return std::nullopt;
  }
  std::string_view base = id.substr(0, last);
  size_t content = base.rfind('-');
  if (content == std::string_view::npos) return std::nullopt;
  return std::string(base.substr(0, content));
}

}  // namespace civic::gateway::channels
