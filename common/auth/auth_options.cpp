#include "common/auth/auth_options.hpp"

#include <fstream>
#include <sstream>

#include "common/text/comma_list.hpp"

namespace civic::auth {
namespace {

using config::value_type;

constexpr config::option options[] = {
    {"auth.jwt.issuer", "civic-gateway-local", "The issuer ('iss') every accepted token names."},
    {"auth.jwt.audience", "", "When set, a token's 'aud' must contain it."},
    {"auth.jwt.hs256_secret", "",
     "Shared secret (at least 32 bytes) for HS256 tokens with key id 'local'. Secret."},
    {"auth.jwt.public_keys", "",
     "Public keys for RS256/ES256 tokens: comma-separated kid=ALG:path.pem "
     "(e.g. idp-2026=ES256:/etc/civic/idp.pem)."},
    {"auth.jwt.leeway_s", "30", "Clock skew allowed on exp, nbf and iat, in seconds.",
     value_type::integer, 0, 600},
    {"auth.jwt.max_lifetime_s", "86400",
     "Longest lifetime (exp - iat) of a token accepted, in seconds.", value_type::integer, 60,
     31 * 86400},
};

expected<verification_key, std::string> public_key(std::string_view spec) {
  const std::string where = "auth.jwt.public_keys: '" + std::string(spec) + "': ";
  size_t equals = spec.find('=');
  size_t colon = spec.find(':', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || colon == std::string_view::npos || equals == 0) {
    return unexpected(where + "write kid=ALG:path.pem");
  }
  verification_key key;
  key.kid = std::string(spec.substr(0, equals));
  std::string_view alg = spec.substr(equals + 1, colon - equals - 1);
  if (alg == "RS256")
    key.algorithm = jwt_algorithm::rs256;
  else if (alg == "ES256")
    key.algorithm = jwt_algorithm::es256;
  else
    return unexpected(where + "the algorithm must be RS256 or ES256");
  std::string path(spec.substr(colon + 1));
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(where + "cannot read " + path);
  std::ostringstream pem;
  pem << in.rdbuf();
  key.material = pem.str();
  return key;
}

}  // namespace

std::span<const config::option> auth_options() { return options; }

expected<verifier_settings, std::string> verifier_settings_from(const config::settings& s) {
  verifier_settings v;
  v.issuer = s.text("auth.jwt.issuer");
  v.audience = s.text("auth.jwt.audience");
  v.leeway = std::chrono::seconds(s.integer("auth.jwt.leeway_s"));
  v.max_lifetime = std::chrono::seconds(s.integer("auth.jwt.max_lifetime_s"));
  if (const std::string& secret = s.text("auth.jwt.hs256_secret"); !secret.empty()) {
    v.keys.push_back({"local", jwt_algorithm::hs256, secret});
  }
  for (const std::string& spec : text::comma_list(s.text("auth.jwt.public_keys"))) {
    auto key = public_key(spec);
    if (!key) return unexpected(std::move(key).error());
    v.keys.push_back(std::move(*key));
  }
  if (v.keys.empty()) {
    return unexpected(
        std::string("tokens need a key: set auth.jwt.hs256_secret (env AUTH_JWT_HS256_SECRET) or "
                    "auth.jwt.public_keys"));
  }
  return v;
}

}  // namespace civic::auth
