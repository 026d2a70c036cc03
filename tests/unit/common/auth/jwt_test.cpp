#include "common/auth/jwt.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/crypto/base64url.hpp"
#include "common/crypto/hmac.hpp"
#include "common/error/errc.hpp"

using namespace civic;
using namespace civic::auth;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const std::string secret = "a-shared-secret-of-at-least-32-bytes!";
const auto now = std::chrono::system_clock::time_point(seconds(1'800'000'000));

struct key_pair {
  std::string private_pem, public_pem;
};

key_pair generate(jwt_algorithm a) {
  EVP_PKEY* key = a == jwt_algorithm::es256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  REQUIRE(key != nullptr);
  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string s(data, static_cast<size_t>(size));
    BIO_free(bio);
    return s;
  };
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  key_pair pair{to_string(priv), to_string(pub)};
  EVP_PKEY_free(key);
  return pair;
}

claims staff() {
  claims c;
  c.sub = "clerk-17";
  c.iss = "civic-test";
  c.iat = now - seconds(60);
  c.exp = now + hours(8);
  c.role = "staff";
  c.divisions = {"roads", "water"};
  return c;
}

jwt_verifier hs_verifier(verifier_settings extra = {}) {
  extra.issuer = extra.issuer.empty() ? "civic-test" : extra.issuer;
  extra.keys.push_back({"local", jwt_algorithm::hs256, secret});
  auto v = jwt_verifier::create(std::move(extra));
  REQUIRE(v);
  return std::move(*v);
}

std::string hs_token(const claims& c, std::string_view kid = "local") {
  auto t = mint(c, kid, jwt_algorithm::hs256, secret);
  REQUIRE(t);
  return *t;
}

// A token with the given header and payload JSON, signed HS256 with `key`.
std::string hand_made(std::string_view header, std::string_view payload, std::string_view key) {
  std::string signed_part =
      crypto::base64url_encode(header) + "." + crypto::base64url_encode(payload);
  auto mac = crypto::hmac_sha256(key, signed_part);
  return signed_part + "." +
         crypto::base64url_encode(
             std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string refusal(const expected<claims, token_error>& r) {
  REQUIRE_FALSE(r);
  return r.error().detail;
}

}  // namespace

TEST_CASE("an HS256 token minted here verifies, and its claims come back") {
  auto v = hs_verifier();
  auto c = v.verify(hs_token(staff()), now);
  REQUIRE(c);
  CHECK(c->sub == "clerk-17");
  CHECK(c->role == "staff");
  CHECK(c->divisions == std::vector<std::string>{"roads", "water"});
  CHECK(c->exp == now + hours(8));
  CHECK(c->grants_division("roads"));
  CHECK_FALSE(c->grants_division("welfare"));
}

TEST_CASE("a supervisor or a '*' grant reads every division; channels are granted by name") {
  claims c = staff();
  c.role = "supervisor";
  c.divisions.clear();
  CHECK(c.grants_division("parks"));
  c.role = "staff";
  c.divisions = {"*"};
  CHECK(c.grants_division("parks"));
  c.channels = {"kakao"};
  CHECK(c.grants_channel("kakao"));
  CHECK_FALSE(c.grants_channel("telegram"));
  // A bridge's token sends messages; it never reads a division's cases, whatever
  // divisions it lists.
  c.role = "bridge";
  CHECK_FALSE(c.grants_division("parks"));
}

TEST_CASE("ES256 and RS256 tokens verify with their public keys") {
  for (auto a : {jwt_algorithm::es256, jwt_algorithm::rs256}) {
    CAPTURE(algorithm_name(a));
    auto pair = generate(a);
    auto v = jwt_verifier::create(
        {"civic-test", "", seconds(30), hours(24), {{"idp", a, pair.public_pem}}});
    REQUIRE(v);
    auto token = mint(staff(), "idp", a, pair.private_pem);
    REQUIRE(token);
    auto c = v->verify(*token, now);
    REQUIRE(c);
    CHECK(c->sub == "clerk-17");

    // Another key pair's signature does not pass.
    auto other = generate(a);
    auto forged = mint(staff(), "idp", a, other.private_pem);
    REQUIRE(forged);
    CHECK(refusal(v->verify(*forged, now)) == "the token's signature does not match");
  }
}

TEST_CASE("the key decides the algorithm: alg none and HS/RS confusion are refused") {
  auto pair = generate(jwt_algorithm::rs256);
  auto v = jwt_verifier::create(
      {"civic-test", "", seconds(30), hours(24), {{"idp", jwt_algorithm::rs256, pair.public_pem}}});
  REQUIRE(v);
  std::string payload =
      R"({"sub":"mallory","iss":"civic-test","exp":1800009999,"role":"supervisor"})";
  // alg none with an empty signature.
  std::string none = crypto::base64url_encode(R"({"alg":"none","kid":"idp"})") + "." +
                     crypto::base64url_encode(payload) + ".";
  CHECK(refusal(v->verify(none, now)).find("not accepted") != std::string::npos);
  // HS256 signed with the RSA public key as the secret (the classic confusion attack).
  std::string confused = hand_made(R"({"alg":"HS256","kid":"idp"})", payload, pair.public_pem);
  CHECK(refusal(v->verify(confused, now)) == "the token's algorithm is not the one of its key");
}

TEST_CASE("tampered, unsigned, unknown-key and malformed tokens are refused as invalid") {
  auto v = hs_verifier();
  std::string good = hs_token(staff());
  auto invalid = [&](const std::string& token) {
    auto r = v.verify(token, now);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_credential);
    return r.error().detail;
  };
  // The payload swapped for one granting more, the signature kept.
  size_t dot1 = good.find('.'), dot2 = good.rfind('.');
  claims more = staff();
  more.role = "supervisor";
  std::string other = hs_token(more);
  std::string tampered = good.substr(0, dot1) +
                         other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                         good.substr(dot2);
  CHECK(invalid(tampered) == "the token's signature does not match");
  CHECK(invalid(good.substr(0, dot2 + 1)) == "the token's signature does not match");
  CHECK(invalid(hs_token(staff(), "someone-else")) == "the token's key id is not known");
  CHECK(invalid("abc") == "a token has three base64url parts separated by dots");
  CHECK(invalid("a.b.c.d") == "a token has three base64url parts separated by dots");
  CHECK(invalid(good + "=") == "a part of the token is not base64url");
  CHECK(invalid(std::string(9000, 'a')) == "the token is longer than 8 KiB");
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local","crit":["x"]})",
                          R"({"sub":"a","iss":"civic-test","exp":1800009999})", secret)) ==
        "the token uses critical extensions");
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local"})", "[1]", secret))
            .starts_with("the token payload is not a JSON object"));
  // Given twice, a claim or a header member could be read one way here and another
  // way by another parser (RFC 7519 section 4): refused.
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local"})",
                          R"({"sub":"a","iss":"civic-test","exp":1800009999,"role":"staff",)"
                          R"("role":"supervisor"})",
                          secret)) == "the token gives the claim 'role' twice");
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local","kid":"other"})",
                          R"({"sub":"a","iss":"civic-test","exp":1800009999})", secret)) ==
        "the token header gives 'kid' twice");
  // Roles are the three the gateway knows, spelt as it spells them.
  for (const char* role : {"admin", "Supervisor", ""}) {
    std::string payload =
        std::string(R"({"sub":"a","iss":"civic-test","exp":1800009999,"role":")") + role + R"("})";
    auto r = v.verify(hand_made(R"({"alg":"HS256","kid":"local"})", payload, secret), now);
    if (std::string_view(role).empty()) {
      CHECK(r.has_value());  // no role given: staff, reading its own divisions
    } else {
      CHECK(refusal(r) == "the claim 'role' must be staff, supervisor or bridge");
    }
  }
  // The subject reaches pages and logs: no control characters, a bounded length.
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local"})",
                          R"({"sub":"a\nforged log line","iss":"civic-test","exp":1800009999})",
                          secret)) ==
        "the claim 'sub' must be at most 256 bytes without control characters");
  CHECK(invalid(hand_made(
            R"({"alg":"HS256","kid":"local"})",
            R"({"sub":")" + std::string(300, 's') + R"(","iss":"civic-test","exp":1800009999})",
            secret)) == "the claim 'sub' must be at most 256 bytes without control characters");
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local"})",
                          R"({"sub":"a","iss":"civic-test","exp":"tomorrow"})", secret)) ==
        "the claim 'exp' must be a time in seconds");
  CHECK(invalid(hand_made(R"({"alg":"HS256","kid":"local"})",
                          R"({"sub":"a","iss":"civic-test","exp":1800009999,"divisions":[1]})",
                          secret)) == "the claim 'divisions' must be a list of strings");
  CHECK(v.verify("", now).error().code == errc::unauthenticated);

  // A single string where a list is expected is a list of one; unknown claims are ignored.
  auto one = v.verify(
      hand_made(R"({"alg":"HS256","kid":"local"})",
                R"({"sub":"a","iss":"civic-test","exp":1800009999,"divisions":"roads","x":1})",
                secret),
      now);
  REQUIRE(one);
  CHECK(one->divisions == std::vector<std::string>{"roads"});
}

TEST_CASE("time, issuer, audience and lifetime are enforced") {
  auto v = hs_verifier();
  claims c = staff();
  c.exp = now - seconds(31);
  auto expired = v.verify(hs_token(c), now);
  REQUIRE_FALSE(expired);
  CHECK(expired.error().code == errc::credential_expired);
  c.exp = now - seconds(10);  // inside the leeway
  CHECK(v.verify(hs_token(c), now));

  c = staff();
  c.nbf = now + seconds(120);
  CHECK(refusal(v.verify(hs_token(c), now)) == "the token is not valid yet");
  c = staff();
  c.iss = "someone-else";
  CHECK(refusal(v.verify(hs_token(c), now)) == "the token's issuer is not accepted");
  c = staff();
  c.iat = now;
  c.exp = now + hours(25);
  CHECK(refusal(v.verify(hs_token(c), now)) == "the token lives longer than allowed");
  c = staff();
  c.sub.clear();
  CHECK(refusal(v.verify(hs_token(c), now)) == "the token has no 'sub'");

  verifier_settings with_audience;
  with_audience.audience = "dashboard";
  auto va = hs_verifier(with_audience);
  c = staff();
  CHECK(refusal(va.verify(hs_token(c), now)) == "the token is not meant for this audience");
  c.aud = {"open-data", "dashboard"};
  CHECK(va.verify(hs_token(c), now));
}

TEST_CASE("keys that cannot be used are refused when the verifier is made") {
  auto rsa = generate(jwt_algorithm::rs256);
  auto make = [](std::vector<verification_key> keys) {
    auto v = jwt_verifier::create({"civic-test", "", seconds(30), hours(24), std::move(keys)});
    REQUIRE_FALSE(v);
    return v.error();
  };
  CHECK(make({{"local", jwt_algorithm::hs256, "short"}}).find("at least 32 bytes") !=
        std::string::npos);
  CHECK(make({{"idp", jwt_algorithm::es256, rsa.public_pem}}).find("P-256") != std::string::npos);
  CHECK(make({{"idp", jwt_algorithm::rs256, "not a key"}}).find("not a PEM public key") !=
        std::string::npos);
  CHECK(make({}).find("no token verification key") != std::string::npos);
  CHECK(make({{"a", jwt_algorithm::hs256, secret}, {"a", jwt_algorithm::hs256, secret}})
            .find("configured twice") != std::string::npos);
  CHECK_FALSE(jwt_verifier::create(
      {"", "", seconds(30), hours(24), {{"a", jwt_algorithm::hs256, secret}}}));
}
