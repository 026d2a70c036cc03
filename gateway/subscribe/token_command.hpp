#pragma once
// `gateway token`: mints a dashboard token with the local HS256 secret, for
// local use and tests (script/token wraps it). Production tokens come from the
// city's identity provider (RS256/ES256 keys in auth.jwt.public_keys).
//
//   gateway token --sub=alice --divisions=roads,water [--role=staff|supervisor] [--ttl_s=28800]
//   (auth.jwt.hs256_secret and auth.jwt.issuer from flags, the environment or --config)

#include <span>
#include <string_view>

namespace civic::gateway::subscribe {

// Prints the token on stdout; returns the process exit code.
int run_token_command(std::span<const std::string_view> args);

}  // namespace civic::gateway::subscribe
