#pragma once
// Who may open /v1/subscribe: the Origin allow-list (browsers) and the token,
// from `Authorization: Bearer`, `?access_token=`, or, for browsers (which cannot
// set headers on a WebSocket), the subprotocol list
// `Sec-WebSocket-Protocol: civic.subscribe.v1, bearer.<token>` (the server
// answers with civic.subscribe.v1 alone, never echoing the token).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/auth/jwt.hpp"

namespace civic::gateway::subscribe {

inline constexpr std::string_view subprotocol = "civic.subscribe.v1";

struct access_settings {
  // Origins a browser may open the subscribe socket from (scheme://host[:port]),
  // besides the gateway's own origin. A request without Origin is not a browser's.
  std::vector<std::string> allowed_origins;
};

struct upgrade_view {
  std::function<std::optional<std::string_view>(std::string_view name)> header;
  std::string_view target;  // path and query
  bool tls = false;
};

struct access_decision {
  bool origin_refused = false;             // answer 403 before the upgrade
  std::optional<civic::auth::claims> who;  // the token verified
  std::error_code code;  // else why not (unauthenticated, invalid_credential, ...)
  std::string detail;
  bool offered_subprotocol = false;  // answer with Sec-WebSocket-Protocol: civic.subscribe.v1
};

bool origin_allowed(const upgrade_view& req, const access_settings& s);

// The token the request presents, and whether it came with the subprotocol.
std::optional<std::string> presented_token(const upgrade_view& req, bool& offered_subprotocol);

access_decision decide_access(const upgrade_view& req, const access_settings& s,
                              const civic::auth::jwt_verifier& verifier,
                              std::chrono::system_clock::time_point now);

}  // namespace civic::gateway::subscribe
