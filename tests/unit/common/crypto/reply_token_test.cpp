#include "common/crypto/reply_token.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace civic::crypto;

namespace {

reply_address whatsapp_citizen() {
  return {"whatsapp", "821055501234",   "wamid.HBgLODIxMDU1NTAxMjM0FQIAEhg", "106540352242922",
          "",         1'795'000'000'000};
}

std::unique_ptr<reply_sealer> sealer_for(const key_pair& keys, uint64_t per_epoch = 1u << 20) {
  auto sealer = reply_sealer::create({keys.kid, keys.public_key, per_epoch});
  REQUIRE_MESSAGE(sealer.has_value(), sealer.error());
  return std::move(*sealer);
}

std::unique_ptr<reply_opener> opener_for(const std::vector<key_pair>& pairs) {
  std::vector<named_key> keys;
  for (const auto& p : pairs) keys.push_back({p.kid, p.private_key});
  auto opener = reply_opener::create(keys);
  REQUIRE_MESSAGE(opener.has_value(), opener.error());
  return std::move(*opener);
}

}  // namespace

TEST_CASE("a sealed address opens with the private key and shows nothing in clear") {
  auto keys = generate_reply_key_pair("k2026a");
  REQUIRE(keys.has_value());
  auto sealer = sealer_for(*keys);
  auto opener = opener_for({*keys});

  auto token = sealer->seal(whatsapp_citizen());
  REQUIRE(token.has_value());
  CHECK(token->starts_with("rt1.k2026a."));
  CHECK(token->find("821055501234") == std::string::npos);
  CHECK(token->find("106540352242922") == std::string::npos);
  CHECK(token->size() < max_reply_token_chars);

  auto opened = opener->open(*token);
  REQUIRE_MESSAGE(opened.has_value(), opened.error());
  CHECK(*opened == whatsapp_citizen());
}

TEST_CASE("two tokens of one address differ (fresh nonce), and epochs rotate") {
  auto keys = generate_reply_key_pair("k1");
  REQUIRE(keys.has_value());
  auto sealer = sealer_for(*keys, 2);  // a new ephemeral key every two tokens
  auto opener = opener_for({*keys});
  std::set<std::string> tokens, ephemerals;
  for (int i = 0; i < 6; ++i) {
    auto token = sealer->seal(whatsapp_citizen());
    REQUIRE(token.has_value());
    tokens.insert(*token);
    ephemerals.insert(token->substr(7, 42));  // base64url of the ephemeral public key
    auto opened = opener->open(*token);
    REQUIRE_MESSAGE(opened.has_value(), opened.error());
    CHECK(opened->to == "821055501234");
  }
  CHECK(tokens.size() == 6);
  CHECK(ephemerals.size() == 3);
}

TEST_CASE("a token altered anywhere, or sealed for another key, does not open") {
  auto keys = generate_reply_key_pair("k1");
  auto other = generate_reply_key_pair("k1");
  REQUIRE(keys.has_value());
  REQUIRE(other.has_value());
  auto sealer = sealer_for(*keys);
  auto token = sealer->seal(whatsapp_citizen());
  REQUIRE(token.has_value());

  auto wrong_key = opener_for({*other});
  CHECK_FALSE(wrong_key->open(*token).has_value());

  auto opener = opener_for({*keys});
  for (size_t at : {size_t{8}, size_t{30}, size_t{60}, token->size() - 1}) {
    std::string altered = *token;
    altered[at] = altered[at] == 'A' ? 'B' : 'A';
    CAPTURE(at);
    CHECK_FALSE(opener->open(altered).has_value());
  }
  // The key id is authenticated too: moving a token to another id fails.
  auto renamed = *token;
  renamed.replace(4, 2, "k2");
  auto two = opener_for({*keys, {"k2", keys->public_key, keys->private_key}});
  CHECK_FALSE(two->open(renamed).has_value());
  CHECK_FALSE(opener->open("rt1.k1.").has_value());
  CHECK_FALSE(opener->open("not a token").has_value());
  auto unknown = opener->open("rt1.k9." + token->substr(7));
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error() == "no private key for key id k9");
}

TEST_CASE("keys rotate: the service opens tokens of the old and the new key") {
  auto old_keys = generate_reply_key_pair("k2026a");
  auto new_keys = generate_reply_key_pair("k2026b");
  REQUIRE(old_keys.has_value());
  REQUIRE(new_keys.has_value());
  auto old_token = sealer_for(*old_keys)->seal(whatsapp_citizen());
  auto new_token = sealer_for(*new_keys)->seal(whatsapp_citizen());
  REQUIRE(old_token.has_value());
  REQUIRE(new_token.has_value());
  auto opener = opener_for({*new_keys, *old_keys});
  CHECK(opener->open(*old_token).has_value());
  CHECK(opener->open(*new_token).has_value());
}

TEST_CASE("bad keys and oversized fields are refused with a reason") {
  CHECK_FALSE(generate_reply_key_pair("").has_value());
  CHECK_FALSE(generate_reply_key_pair("has space").has_value());
  CHECK_FALSE(reply_sealer::create({"k1", "c2hvcnQ"}).has_value());
  CHECK_FALSE(reply_opener::create({}).has_value());
  CHECK_FALSE(parse_named_key("no-colon").has_value());
  auto keys = generate_reply_key_pair("k1");
  REQUIRE(keys.has_value());
  auto parsed = parse_named_key("k1:" + keys->public_key);
  REQUIRE(parsed.has_value());
  CHECK(parsed->kid == "k1");

  auto sealer = sealer_for(*keys);
  reply_address a = whatsapp_citizen();
  a.to = std::string(max_reply_field_bytes + 1, 'x');
  CHECK_FALSE(sealer->seal(a).has_value());
}
