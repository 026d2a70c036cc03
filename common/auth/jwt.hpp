#pragma once
// JSON Web Tokens (RFC 7519, JWS compact form, RFC 7515) for people and bridges:
// verification of HS256, RS256 and ES256 with OpenSSL, and minting for local use
// and tests. Why not a library: Debian 12's libjwt (1.10) and cpp-jwt both pick
// the algorithm from the token's own header unless every caller remembers to pin
// it; here every key is bound to one algorithm and one key id, so `alg: none`,
// HS/RS confusion and unknown keys cannot pass, and the few hundred lines over
// OpenSSL's EVP interface are ours to test.
//
// Claims the gateway reads (beyond the registered ones):
//   divisions: ["roads", ...]  what a person may read and answer ("*" = every division)
//   role:      "staff" | "supervisor" (a supervisor reads every division) | "bridge"
//   channels:  ["kakao", ...]  what a bridge may send as (bridge tokens)

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::auth {

enum class jwt_algorithm { hs256, rs256, es256 };

std::string_view algorithm_name(jwt_algorithm a);  // "HS256", ...

// One key the verifier trusts. HS256: `material` is the shared secret (at least
// 32 bytes). RS256/ES256: `material` is a PEM public key (SubjectPublicKeyInfo).
struct verification_key {
  std::string kid;  // matched against the token header's "kid"; "" matches a token without one
  jwt_algorithm algorithm = jwt_algorithm::hs256;
  std::string material;
};

// "staff", "supervisor" or "bridge": the roles the gateway knows, spelt as it spells them.
bool is_known_role(std::string_view role);

struct claims {
  std::string sub;
  std::string iss;
  std::vector<std::string> aud;
  std::string jti;
  std::chrono::system_clock::time_point exp{};
  std::optional<std::chrono::system_clock::time_point> nbf, iat;
  std::string role;
  std::vector<std::string> divisions;
  std::vector<std::string> channels;

  // True when the holder may read and answer `division` (listed, "*", or
  // supervisor); never for a bridge.
  bool grants_division(std::string_view division) const;
  bool grants_channel(std::string_view channel) const;
};

struct verifier_settings {
  std::string issuer;                            // required "iss"
  std::string audience;                          // when not empty, "aud" must contain it
  std::chrono::seconds leeway{30};               // clock skew allowed on exp, nbf and iat
  std::chrono::seconds max_lifetime{24 * 3600};  // exp - iat (or exp - now) may not exceed it
  std::vector<verification_key> keys;
};

// Why a token was refused. The detail names the reason, never the token.
// code: errc::credential_expired for exp in the past, errc::invalid_credential
// for everything else (malformed, unknown kid, algorithm not the key's, bad
// signature, wrong issuer or audience, not yet valid, lifetime too long).
struct token_error {
  std::error_code code;
  std::string detail;
};

class jwt_verifier {
 public:
  // Fails when a key cannot be read (bad PEM, short HS256 secret, wrong key type
  // for its algorithm) or the issuer is empty.
  static expected<jwt_verifier, std::string> create(verifier_settings s);

  expected<claims, token_error> verify(std::string_view token,
                                       std::chrono::system_clock::time_point now) const;
  // The clock skew verify() allows past exp: a connection opened with a token
  // that expired within it lasts until exp + leeway, not until exp.
  std::chrono::seconds leeway() const { return settings_.leeway; }

  jwt_verifier(jwt_verifier&&) noexcept;
  jwt_verifier& operator=(jwt_verifier&&) noexcept;
  ~jwt_verifier();

 private:
  struct loaded_key;
  explicit jwt_verifier(verifier_settings s);
  verifier_settings settings_;
  std::vector<loaded_key> keys_;
};

// Mints a signed token (HS256 with a secret, ES256/RS256 with a PEM private key).
// For `gateway token`, script/token and tests; the service never signs.
expected<std::string, std::string> mint(const claims& c, std::string_view kid,
                                        jwt_algorithm algorithm, std::string_view key_material);

}  // namespace civic::auth
