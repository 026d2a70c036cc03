#include "gateway/auth/bridge_auth.hpp"

#include <doctest/doctest.h>

#include "common/error/errc.hpp"
#include "gateway/auth/settings.hpp"
#include "support/gateway_fakes.hpp"

using namespace civic;
using namespace civic::gateway;
namespace bridge_auth = civic::gateway::auth;
using namespace std::chrono_literals;

namespace {

const std::string jwt_secret = "a-shared-secret-of-at-least-32-bytes!";
const bridge_auth::channel_set webhook_channels{"telegram", "line", "whatsapp", "web", "open311"};

std::optional<civic::auth::jwt_verifier> verifier() {
  civic::auth::verifier_settings s;
  s.issuer = "civic-gateway-local";
  s.keys.push_back({"local", civic::auth::jwt_algorithm::hs256, jwt_secret});
  auto v = civic::auth::jwt_verifier::create(std::move(s));
  REQUIRE(v);
  return std::move(*v);
}

std::string token(std::string role, std::string sub, std::vector<std::string> channels,
                  std::chrono::system_clock::duration expires_in = 1h) {
  civic::auth::claims c;
  c.iss = "civic-gateway-local";
  c.sub = std::move(sub);
  c.role = std::move(role);
  c.channels = std::move(channels);
  auto now = std::chrono::system_clock::now();
  c.iat = now - 2h;
  c.exp = now + expires_in;
  if (expires_in < 0s) c.iat = c.exp - 1h;
  auto t = civic::auth::mint(c, "local", civic::auth::jwt_algorithm::hs256, jwt_secret);
  REQUIRE(t);
  return *t;
}

struct fixture {
  ops::metrics metrics;
  std::string key = "cgk_" + std::string(43, 'k');
  bridge_auth::bridge_authenticator authenticator;
  fixture()
      : authenticator(*bridge_auth::parse_bridge_keys(
                          bridge_auth::bridge_key_entry("relay", key, "callcentre,telegram") + ";" +
                          bridge_auth::bridge_key_entry("open", "cgk_other", "*")),
                      verifier(), webhook_channels, metrics) {}

  expected<ingest::sender, std::error_code> as(std::optional<std::string> authorization) {
    return authenticator.authenticate(authorization, std::chrono::system_clock::now());
  }
};

}  // namespace

TEST_CASE(
    "no credential is 401 unauthenticated; a wrong or malformed one 401 "
    "invalid_credential") {
  fixture f;
  CHECK(f.as(std::nullopt).error() == errc::unauthenticated);
  CHECK(f.as("Bearer cgk_wrong").error() == errc::invalid_credential);
  CHECK(f.as("Basic dXNlcjpwYXNz").error() == errc::invalid_credential);
  CHECK(f.as("Bearer ").error() == errc::invalid_credential);
  CHECK(f.as("Bearer not.a.token").error() == errc::invalid_credential);
}

TEST_CASE("an API key names its bridge and grants what its entry lists") {
  fixture f;
  auto relay = f.as("bearer " + f.key);  // the scheme in any case
  REQUIRE(relay);
  CHECK(relay->name == "relay");
  CHECK(relay->from == ingest::sender::kind::bridge);
  CHECK(relay->may_send_as("callcentre"));
  CHECK(relay->may_send_as("telegram"));  // granted by name
  CHECK_FALSE(relay->may_send_as("line"));
  CHECK_FALSE(relay->may_send_as("email"));
}

TEST_CASE("* grants every channel except the verified webhooks' namespaces") {
  fixture f;
  auto open = f.as("Bearer cgk_other");
  REQUIRE(open);
  CHECK(open->may_send_as("email"));
  CHECK(open->may_send_as("facebook"));
  for (const auto& reserved : webhook_channels) CHECK_FALSE(open->may_send_as(reserved));
}

TEST_CASE(
    "a bridge JWT: role bridge, sub its name, channels its grants; staff tokens are 403, "
    "expired ones 401 credential_expired") {
  fixture f;
  auto bridge = f.as("Bearer " + token("bridge", "kakao-relay", {"kakao"}));
  REQUIRE(bridge);
  CHECK(bridge->name == "kakao-relay");
  CHECK(bridge->may_send_as("kakao"));
  CHECK_FALSE(bridge->may_send_as("telegram"));
  CHECK(f.as("Bearer " + token("staff", "clerk-7", {"*"})).error() == errc::forbidden);
  CHECK(f.as("Bearer " + token("bridge", "Not A Name", {"*"})).error() == errc::invalid_credential);
  CHECK(f.as("Bearer " + token("bridge", "kakao-relay", {"kakao"}, -1h)).error() ==
        errc::credential_expired);
}

TEST_CASE("the HTTP refusal is problem+json with WWW-Authenticate, and counted by reason") {
  fixture f;
  test::request_builder b;
  auto refused = f.authenticator(b.build());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().status == 401);
  CHECK(refused.error().headers.at(0).first == "WWW-Authenticate");
  b.headers = {{"Authorization", "Bearer cgk_wrong"}};
  CHECK(f.authenticator(b.build()).error().headers.at(0).second.find("invalid_token") !=
        std::string::npos);
  std::string text = f.metrics.render({});
  CHECK(text.find("gateway_auth_refused_total{reason=\"unauthenticated\"} 1") != std::string::npos);
  CHECK(text.find("gateway_auth_refused_total{reason=\"invalid_credential\"} 1") !=
        std::string::npos);
}

TEST_CASE("bridge key entries: names and digests are checked, never the key itself") {
  CHECK(bridge_auth::parse_bridge_keys("").value().empty());
  auto entry = bridge_auth::bridge_key_entry("relay", "cgk_k", "*");
  CHECK(entry.find("cgk_k") == std::string::npos);
  CHECK(bridge_auth::parse_bridge_keys(entry + " ; " +
                                       bridge_auth::bridge_key_entry("b2", "x", "email,sms")));
  CHECK_FALSE(bridge_auth::parse_bridge_keys("relay:cgk_plaintextkey:*"));
  CHECK_FALSE(bridge_auth::parse_bridge_keys(bridge_auth::bridge_key_entry("Relay", "k", "*")));
  CHECK_FALSE(bridge_auth::parse_bridge_keys(bridge_auth::bridge_key_entry("relay", "k", "")));
  CHECK_FALSE(bridge_auth::parse_bridge_keys(bridge_auth::bridge_key_entry("relay", "k", "Bad!")));
  CHECK_FALSE(bridge_auth::parse_bridge_keys(entry + ";" + entry));  // a name twice
  auto made = bridge_auth::make_bridge_key();
  REQUIRE(made);
  CHECK(made->starts_with("cgk_"));
  CHECK(made->size() == 4 + 43);
  CHECK(*made != *bridge_auth::make_bridge_key());
}
