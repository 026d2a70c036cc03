#pragma once
// Who a request to /v1/messages or /v1/stream comes from. A bridge presents
// `Authorization: Bearer <credential>`, either
//   - an API key ("cgk_..."; bridge_keys.hpp), or
//   - a JWT (common/auth/jwt.hpp) with role "bridge", sub = the bridge's name,
//     channels = what it may send as.
// The answer is the bridge's ingest::sender (name and grants), or the refusal:
// 401 unauthenticated (no credential), 401 invalid_credential, 401
// credential_expired, 403 forbidden (a valid token that is not a bridge's).
// Credentials are never logged; refusals are counted by reason.

#include <chrono>
#include <optional>
#include <vector>

#include "common/auth/jwt.hpp"
#include "common/error/expected.hpp"
#include "gateway/auth/bridge_keys.hpp"
#include "gateway/auth/grants.hpp"
#include "gateway/http/message.hpp"
#include "gateway/ingest/sender.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::auth {

// The credential in `Authorization: Bearer <credential>` (scheme in any case).
std::optional<std::string_view> bearer_credential(const http::header_lookup& header);

class bridge_authenticator {
 public:
  bridge_authenticator(std::vector<bridge_key> keys,
                       std::optional<civic::auth::jwt_verifier> tokens,
                       channel_set webhook_channels, ops::metrics& m);

  expected<ingest::sender, http::response> operator()(const http::request& req) const;

  // Without the metrics and the HTTP answer, for tests.
  expected<ingest::sender, std::error_code> authenticate(
      std::optional<std::string_view> authorization,
      std::chrono::system_clock::time_point now) const;

 private:
  ingest::sender bridge(std::string name, std::vector<std::string> channels) const;

  std::vector<bridge_key> keys_;
  std::optional<civic::auth::jwt_verifier> tokens_;
  channel_set webhook_channels_;
  ops::metrics& metrics_;
};

}  // namespace civic::gateway::auth
