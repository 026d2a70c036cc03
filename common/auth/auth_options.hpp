#pragma once
// The configuration keys of token verification, shared by every service that
// takes tokens (the gateway's bridges, dashboards and answers API):
//   auth.jwt.issuer          required "iss" (default civic-gateway-local)
//   auth.jwt.audience        when set, "aud" must contain it
//   auth.jwt.hs256_secret    a shared secret (>= 32 bytes), key id "local"; secret
//   auth.jwt.public_keys     comma-separated kid=ALG:path.pem (ALG RS256 or ES256)
//   auth.jwt.leeway_s        clock skew allowed (30)
//   auth.jwt.max_lifetime_s  longest exp - iat accepted (86400)

#include <span>
#include <string>

#include "common/auth/jwt.hpp"
#include "common/config/config.hpp"
#include "common/error/expected.hpp"

namespace civic::auth {

std::span<const config::option> auth_options();

// Reads the keys above (PEM files included). No key configured is an error
// naming the keys to set.
expected<verifier_settings, std::string> verifier_settings_from(const config::settings& s);

}  // namespace civic::auth
