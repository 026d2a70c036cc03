#include "common/auth/auth_options.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace civic;

namespace {

expected<auth::verifier_settings, std::string> from_flags(std::vector<std::string> flags) {
  std::vector<std::string_view> args(flags.begin(), flags.end());
  auto s = config::load(auth::auth_options(), args,
                        [](const std::string&) { return std::optional<std::string>(); });
  REQUIRE(s);
  return auth::verifier_settings_from(*s);
}

std::string write_ec_public_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key);
  auto path = std::filesystem::temp_directory_path() /
              ("civic-auth-test-" + std::to_string(getpid()) + ".pem");
  FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f);
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
  EVP_PKEY_free(key);
  return path.string();
}

}  // namespace

TEST_CASE("no key configured is an error that names the keys to set") {
  auto v = from_flags({});
  REQUIRE_FALSE(v);
  CHECK(v.error().find("auth.jwt.hs256_secret") != std::string::npos);
}

TEST_CASE("the HS256 secret becomes key 'local'; public keys are read from their files") {
  std::string pem = write_ec_public_key();
  auto v = from_flags({"--auth.jwt.hs256_secret=0123456789abcdef0123456789abcdef",
                       "--auth.jwt.public_keys= idp-2026=ES256:" + pem + " ,",
                       "--auth.jwt.issuer=https://id.seoul.example", "--auth.jwt.leeway_s=5"});
  std::filesystem::remove(pem);
  REQUIRE(v);
  REQUIRE(v->keys.size() == 2);
  CHECK(v->keys[0].kid == "local");
  CHECK(v->keys[0].algorithm == auth::jwt_algorithm::hs256);
  CHECK(v->keys[1].kid == "idp-2026");
  CHECK(v->keys[1].algorithm == auth::jwt_algorithm::es256);
  CHECK(v->keys[1].material.find("BEGIN PUBLIC KEY") != std::string::npos);
  CHECK(v->issuer == "https://id.seoul.example");
  CHECK(v->leeway == std::chrono::seconds(5));
  CHECK(auth::jwt_verifier::create(std::move(*v)));
}

TEST_CASE("a public key spec that cannot be used names itself") {
  auto bad_alg = from_flags({"--auth.jwt.public_keys=idp=HS256:/etc/x.pem"});
  REQUIRE_FALSE(bad_alg);
  CHECK(bad_alg.error().find("RS256 or ES256") != std::string::npos);
  auto missing = from_flags({"--auth.jwt.public_keys=idp=RS256:/nonexistent/key.pem"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("cannot read /nonexistent/key.pem") != std::string::npos);
  auto shape = from_flags({"--auth.jwt.public_keys=just-a-path.pem"});
  REQUIRE_FALSE(shape);
  CHECK(shape.error().find("kid=ALG:path.pem") != std::string::npos);
}
