#include "common/auth/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <simdjson.h>

#include <algorithm>
#include <memory>

#include "common/crypto/base64url.hpp"
#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"
#include "common/json/writer.hpp"

namespace civic::auth {
namespace {

using clock = std::chrono::system_clock;

constexpr size_t max_token_bytes = 8 * 1024;
constexpr size_t min_hs256_secret = 32;
constexpr int min_rsa_bits = 2048;
constexpr size_t es256_coordinate = 32;

struct pkey_deleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using pkey_ptr = std::shared_ptr<EVP_PKEY>;
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;
struct bio_deleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;
struct ecdsa_sig_deleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, ecdsa_sig_deleter>;

token_error refused(std::string detail) {
  return {make_error_code(errc::invalid_credential), std::move(detail)};
}

std::optional<jwt_algorithm> parse_algorithm(std::string_view name) {
  if (name == "HS256") return jwt_algorithm::hs256;
  if (name == "RS256") return jwt_algorithm::rs256;
  if (name == "ES256") return jwt_algorithm::es256;
  return std::nullopt;
}

// Reads a PEM key; private when `want_private`. Checks the type against the algorithm.
expected<pkey_ptr, std::string> read_pem(std::string_view pem, jwt_algorithm algorithm,
                                         bool want_private) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return unexpected(std::string("out of memory reading a key"));
  EVP_PKEY* raw = want_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                               : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) {
    return unexpected(std::string(want_private ? "not a PEM private key"
                                               : "not a PEM public key (SubjectPublicKeyInfo)"));
  }
  pkey_ptr key(raw, pkey_deleter{});
  if (algorithm == jwt_algorithm::rs256) {
    if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA)
      return unexpected(std::string("RS256 needs an RSA key"));
    if (EVP_PKEY_get_bits(raw) < min_rsa_bits) {
      return unexpected(std::string("RS256 keys must have at least 2048 bits"));
    }
  } else if (algorithm == jwt_algorithm::es256) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_EC ||
        !EVP_PKEY_get_group_name(raw, group, sizeof group, &length) ||
        std::string_view(group, length) != "prime256v1") {
      return unexpected(std::string("ES256 needs an EC key on P-256 (prime256v1)"));
    }
  }
  return key;
}

// ES256 signatures are r || s (32 bytes each, RFC 7518 §3.4); OpenSSL speaks DER.
std::optional<std::string> es256_raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * es256_coordinate) return std::nullopt;
  ecdsa_sig_ptr sig(ECDSA_SIG_new());
  if (!sig) return std::nullopt;
  auto bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, es256_coordinate, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + es256_coordinate, es256_coordinate, nullptr);
  if (!r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

std::optional<std::string> es256_der_to_raw(std::string_view der) {
  auto in = reinterpret_cast<const unsigned char*>(der.data());
  ecdsa_sig_ptr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * es256_coordinate, '\0');
  auto out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, es256_coordinate) < 0 ||
      BN_bn2binpad(s, out + es256_coordinate, es256_coordinate) < 0) {
    return std::nullopt;
  }
  return raw;
}

bool verify_with_key(EVP_PKEY* key, std::string_view signed_part, std::string_view signature) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return false;
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

std::optional<std::string> sign_with_key(EVP_PKEY* key, std::string_view signed_part) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return std::nullopt;
  }
  size_t length = 0;
  auto data = reinterpret_cast<const unsigned char*>(signed_part.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, signed_part.size()) != 1)
    return std::nullopt;
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     signed_part.size()) != 1) {
    return std::nullopt;
  }
  signature.resize(length);
  return signature;
}

clock::time_point from_seconds(double seconds) {
  return clock::time_point(std::chrono::seconds(static_cast<int64_t>(seconds)));
}

int64_t to_seconds(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds, within a sane range.
std::optional<clock::time_point> numeric_date(simdjson::dom::element e) {
  double seconds = 0;
  if (e.get_double().get(seconds)) return std::nullopt;  // integers convert, anything else fails
  if (seconds < 0 || seconds > 32503680000.0) return std::nullopt;  // after year 3000
  return from_seconds(seconds);
}

// A string or an array of strings; nullopt for anything else.
std::optional<std::vector<std::string>> strings(simdjson::dom::element e) {
  std::vector<std::string> out;
  std::string_view one;
  if (!e.get_string().get(one)) {
    out.emplace_back(one);
    return out;
  }
  simdjson::dom::array array;
  if (e.get_array().get(array)) return std::nullopt;
  for (auto item : array) {
    std::string_view s;
    if (item.get_string().get(s)) return std::nullopt;
    out.emplace_back(s);
  }
  return out;
}

// RFC 7519 section 4: a claim given twice is to be refused (or the last taken;
// simdjson would give the first). Another parser must not read another token.
std::optional<std::string_view> repeated_member(simdjson::dom::object object) {
  std::vector<std::string_view> seen;
  for (auto field : object) {
    if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) return field.key;
    seen.push_back(field.key);
  }
  return std::nullopt;
}

expected<claims, token_error> read_claims(simdjson::dom::object payload) {
  if (auto twice = repeated_member(payload))
    return unexpected(refused("the token gives the claim '" + std::string(*twice) + "' twice"));
  claims c;
  simdjson::dom::element e;
  std::string_view s;
  auto text = [&](const char* name, std::string& into) -> std::optional<token_error> {
    if (payload[name].get(e)) return std::nullopt;
    if (e.get_string().get(s))
      return refused(std::string("the claim '") + name + "' must be a string");
    into = std::string(s);
    return std::nullopt;
  };
  auto list = [&](const char* name, std::vector<std::string>& into) -> std::optional<token_error> {
    if (payload[name].get(e)) return std::nullopt;
    auto values = strings(e);
    if (!values) return refused(std::string("the claim '") + name + "' must be a list of strings");
    into = std::move(*values);
    return std::nullopt;
  };
  auto date = [&](const char* name) -> expected<std::optional<clock::time_point>, token_error> {
    if (payload[name].get(e)) return std::optional<clock::time_point>();
    auto t = numeric_date(e);
    if (!t)
      return unexpected(refused(std::string("the claim '") + name + "' must be a time in seconds"));
    return std::optional<clock::time_point>(*t);
  };
  for (auto failed :
       {text("sub", c.sub), text("iss", c.iss), text("jti", c.jti), text("role", c.role),
        list("aud", c.aud), list("divisions", c.divisions), list("channels", c.channels)}) {
    if (failed) return unexpected(std::move(*failed));
  }
  auto exp = date("exp");
  if (!exp) return unexpected(std::move(exp).error());
  if (!*exp) return unexpected(refused("the token has no 'exp'"));
  c.exp = **exp;
  auto nbf = date("nbf");
  if (!nbf) return unexpected(std::move(nbf).error());
  c.nbf = *nbf;
  auto iat = date("iat");
  if (!iat) return unexpected(std::move(iat).error());
  c.iat = *iat;
  if (c.sub.empty()) return unexpected(refused("the token has no 'sub'"));
  // The subject is shown to staff and written to logs and records: no control
  // characters (a line break could forge a log line), at most 256 bytes.
  if (c.sub.size() > 256 || std::any_of(c.sub.begin(), c.sub.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F;
      })) {
    return unexpected(
        refused("the claim 'sub' must be at most 256 bytes without control characters"));
  }
  if (!c.role.empty() && !is_known_role(c.role)) {  // none given: staff
    return unexpected(refused("the claim 'role' must be staff, supervisor or bridge"));
  }
  return c;
}

std::string claims_json(const claims& c) {
  json::writer w;
  w.StartObject();
  auto text = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    w.Key(name);
    w.string(value);
  };
  auto list = [&](const char* name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    w.Key(name);
    w.StartArray();
    for (const auto& v : values) w.string(v);
    w.EndArray();
  };
  text("sub", c.sub);
  text("iss", c.iss);
  list("aud", c.aud);
  text("jti", c.jti);
  w.member("exp", to_seconds(c.exp));
  if (c.nbf) {
    w.member("nbf", to_seconds(*c.nbf));
  }
  if (c.iat) {
    w.member("iat", to_seconds(*c.iat));
  }
  text("role", c.role);
  list("divisions", c.divisions);
  list("channels", c.channels);
  w.EndObject();
  return w.str();
}

std::string header_json(std::string_view kid, jwt_algorithm algorithm) {
  json::writer w;
  w.StartObject();
  w.member("alg", algorithm_name(algorithm));
  w.member("typ", "JWT");
  if (!kid.empty()) {
    w.member("kid", kid);
  }
  w.EndObject();
  return w.str();
}

}  // namespace

std::string_view algorithm_name(jwt_algorithm a) {
  switch (a) {
    case jwt_algorithm::hs256:
      return "HS256";
    case jwt_algorithm::rs256:
      return "RS256";
    case jwt_algorithm::es256:
      return "ES256";
  }
  return "HS256";
}

bool is_known_role(std::string_view role) {
  return role == "staff" || role == "supervisor" || role == "bridge";
}

bool claims::grants_division(std::string_view division) const {
  if (role == "supervisor") return true;
  if (role == "bridge") return false;  // a bridge sends; the citizens' cases are not its to read
  return std::any_of(divisions.begin(), divisions.end(),
                     [&](const std::string& d) { return d == "*" || d == division; });
}

bool claims::grants_channel(std::string_view channel) const {
  return std::any_of(channels.begin(), channels.end(),
                     [&](const std::string& c) { return c == "*" || c == channel; });
}

struct jwt_verifier::loaded_key {
  std::string kid;
  jwt_algorithm algorithm;
  std::string secret;   // HS256
  pkey_ptr public_key;  // RS256, ES256
};

jwt_verifier::jwt_verifier(verifier_settings s) : settings_(std::move(s)) {}
jwt_verifier::jwt_verifier(jwt_verifier&&) noexcept = default;
jwt_verifier& jwt_verifier::operator=(jwt_verifier&&) noexcept = default;
jwt_verifier::~jwt_verifier() = default;

expected<jwt_verifier, std::string> jwt_verifier::create(verifier_settings s) {
  if (s.issuer.empty()) return unexpected(std::string("the token issuer must be set"));
  if (s.keys.empty()) return unexpected(std::string("no token verification key is configured"));
  std::vector<loaded_key> keys;
  for (const auto& k : s.keys) {
    for (const auto& other : keys) {
      if (other.kid == k.kid) return unexpected("the key id '" + k.kid + "' is configured twice");
    }
    loaded_key loaded{k.kid, k.algorithm, {}, nullptr};
    if (k.algorithm == jwt_algorithm::hs256) {
      if (k.material.size() < min_hs256_secret) {
        return unexpected("the HS256 secret of key '" + k.kid + "' must be at least 32 bytes");
      }
      loaded.secret = k.material;
    } else {
      auto key = read_pem(k.material, k.algorithm, false);
      if (!key) return unexpected("key '" + k.kid + "': " + key.error());
      loaded.public_key = std::move(*key);
    }
    keys.push_back(std::move(loaded));
  }
  jwt_verifier v(std::move(s));
  v.keys_ = std::move(keys);
  for (auto& k : v.settings_.keys) k.material.clear();  // the loaded copy is the only one kept
  return v;
}

expected<claims, token_error> jwt_verifier::verify(std::string_view token,
                                                   clock::time_point now) const {
  if (token.empty())
    return unexpected(token_error{make_error_code(errc::unauthenticated), "no token"});
  if (token.size() > max_token_bytes) return unexpected(refused("the token is longer than 8 KiB"));
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unexpected(refused("a token has three base64url parts separated by dots"));
  }
  auto header_text = crypto::base64url_decode(token.substr(0, first));
  auto payload_text = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = crypto::base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) {
    return unexpected(refused("a part of the token is not base64url"));
  }

  simdjson::dom::parser parser;
  simdjson::dom::object header;
  if (parser.parse(*header_text).get_object().get(header)) {
    return unexpected(refused("the token header is not a JSON object"));
  }
  if (auto twice = repeated_member(header))
    return unexpected(refused("the token header gives '" + std::string(*twice) + "' twice"));
  std::string_view alg_name, kid;
  if (header["alg"].get_string().get(alg_name))
    return unexpected(refused("the token header has no 'alg'"));
  auto algorithm = parse_algorithm(alg_name);
  if (!algorithm) {
    return unexpected(refused("the token's algorithm '" + std::string(alg_name) +
                              "' is not accepted (HS256, RS256, ES256)"));
  }
  simdjson::dom::element kid_element;
  if (!header["kid"].get(kid_element) && kid_element.get_string().get(kid)) {
    return unexpected(refused("the token header's 'kid' must be a string"));
  }
  simdjson::dom::element crit;
  if (!header["crit"].get(crit)) return unexpected(refused("the token uses critical extensions"));

  auto key =
      std::find_if(keys_.begin(), keys_.end(), [&](const loaded_key& k) { return k.kid == kid; });
  if (key == keys_.end()) return unexpected(refused("the token's key id is not known"));
  // The key decides the algorithm, never the token: no HS/RS confusion.
  if (key->algorithm != *algorithm) {
    return unexpected(refused("the token's algorithm is not the one of its key"));
  }
  std::string_view signed_part = token.substr(0, second);
  bool good = false;
  switch (key->algorithm) {
    case jwt_algorithm::hs256: {
      auto mac = crypto::hmac_sha256(key->secret, signed_part);
      good = crypto::constant_time_equal(
          *signature, std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
      break;
    }
    case jwt_algorithm::rs256:
      good = verify_with_key(key->public_key.get(), signed_part, *signature);
      break;
    case jwt_algorithm::es256: {
      auto der = es256_raw_to_der(*signature);
      good = der && verify_with_key(key->public_key.get(), signed_part, *der);
      break;
    }
  }
  if (!good) return unexpected(refused("the token's signature does not match"));

  // Only a signed payload is parsed further.
  simdjson::dom::parser payload_parser;
  simdjson::dom::object payload;
  if (auto error = payload_parser.parse(*payload_text).get_object().get(payload)) {
    return unexpected(refused(std::string("the token payload is not a JSON object (") +
                              simdjson::error_message(error) + ")"));
  }
  auto c = read_claims(payload);
  if (!c) return unexpected(std::move(c).error());
  if (c->iss != settings_.issuer) return unexpected(refused("the token's issuer is not accepted"));
  if (!settings_.audience.empty() &&
      std::find(c->aud.begin(), c->aud.end(), settings_.audience) == c->aud.end()) {
    return unexpected(refused("the token is not meant for this audience"));
  }
  if (c->exp + settings_.leeway <= now) {
    return unexpected(
        token_error{make_error_code(errc::credential_expired), "the token has expired"});
  }
  if (c->nbf && *c->nbf > now + settings_.leeway) {
    return unexpected(refused("the token is not valid yet"));
  }
  if (c->iat && *c->iat > now + settings_.leeway) {
    return unexpected(refused("the token was issued in the future"));
  }
  clock::time_point start = c->iat ? *c->iat : now;
  if (c->exp - start > settings_.max_lifetime) {
    return unexpected(refused("the token lives longer than allowed"));
  }
  return std::move(*c);
}

expected<std::string, std::string> mint(const claims& c, std::string_view kid,
                                        jwt_algorithm algorithm, std::string_view key_material) {
  std::string signed_part = crypto::base64url_encode(header_json(kid, algorithm)) + "." +
                            crypto::base64url_encode(claims_json(c));
  std::string signature;
  if (algorithm == jwt_algorithm::hs256) {
    if (key_material.size() < min_hs256_secret) {
      return unexpected(std::string("an HS256 secret must be at least 32 bytes"));
    }
    auto mac = crypto::hmac_sha256(key_material, signed_part);
    signature.assign(reinterpret_cast<const char*>(mac.data()), mac.size());
  } else {
    auto key = read_pem(key_material, algorithm, true);
    if (!key) return unexpected(key.error());
    auto signed_bytes = sign_with_key(key->get(), signed_part);
    if (!signed_bytes) return unexpected(std::string("OpenSSL could not sign the token"));
    if (algorithm == jwt_algorithm::es256) {
      auto raw = es256_der_to_raw(*signed_bytes);
      if (!raw) return unexpected(std::string("OpenSSL gave an unreadable ECDSA signature"));
      signature = std::move(*raw);
    } else {
      signature = std::move(*signed_bytes);
    }
  }
  return signed_part + "." + crypto::base64url_encode(signature);
}

}  // namespace civic::auth
