#include "gateway/ingest/normalize.hpp"

#include <doctest/doctest.h>

#include "common/envelope/envelope_json.hpp"
#include "common/error/errc.hpp"

using namespace civic;
using namespace civic::gateway::ingest;
using namespace std::chrono;

namespace {

inbound_message sample() {
  inbound_message m;
  m.id = "upd-884";
  m.channel = "telegram";
  m.text = "  버스 정류장 의자가 부서졌어요. 연락: 010-2345-6789  ";
  m.author = "minsu_kim";
  m.conversation_id = "chat-17";
  m.place = envelope::location{37.5, 127.0, std::string("문의 02-123-4567, 종로구"), std::nullopt};
  return m;
}

// A key pair made for this test only.
const crypto::key_pair& test_keys() {
  static const crypto::key_pair keys = *crypto::generate_reply_key_pair("unit");
  return keys;
}

normalize_settings make_settings() {
  normalize_settings s{"unit-test-author-key", nullptr};
  s.reply_sealer = std::move(*crypto::reply_sealer::create({"unit", test_keys().public_key}));
  return s;
}

const normalize_settings settings = make_settings();
const sender webhook = sender::webhook("telegram");
const auto now = system_clock::time_point(milliseconds(1'763'773'953'512));

}  // namespace

TEST_CASE("a normalized message is a valid envelope v1") {
  auto e = normalize(sample(), webhook, settings, now);
  REQUIRE(e.has_value());
  CHECK(e->idempotency_key == "telegram:upd-884");
  CHECK(e->channel_message_id == "upd-884");
  CHECK(e->received_at == "2025-11-22T01:12:33.512Z");
  CHECK(e->id.substr(0, 8) == "019aa91e");  // time-ordered: starts with the received millisecond
  CHECK(e->language == "ko");
  REQUIRE(e->reply_to);
  CHECK(e->reply_to->channel == "telegram");
  CHECK(envelope::parse_json(envelope::to_json(*e)).has_value());
}

TEST_CASE("the reply reference is sealed: only the private key shows where to answer") {
  inbound_message m = sample();
  m.reply_message_id = "1365";
  auto e = normalize(m, webhook, settings, now);
  REQUIRE(e.has_value());
  REQUIRE(e->reply_to);
  std::string json = envelope::to_json(*e);
  CHECK(json.find("chat-17") == std::string::npos);
  CHECK(json.find("1365") == std::string::npos);
  auto opener = crypto::reply_opener::create({{"unit", test_keys().private_key}});
  REQUIRE(opener.has_value());
  auto address = (*opener)->open(e->reply_to->token);
  REQUIRE(address.has_value());
  CHECK(address->channel == "telegram");
  CHECK(address->to == "chat-17");
  CHECK(address->thread == "1365");
  CHECK(address->written_at_ms == 1'763'773'953'512);
}

TEST_CASE("without a sealing key no envelope carries a reply reference") {
  auto e = normalize(sample(), webhook, normalize_settings{"unit-test-author-key", nullptr}, now);
  REQUIRE(e.has_value());
  CHECK_FALSE(e->reply_to.has_value());
}

TEST_CASE("personal data is masked in the text and the address, and the text is trimmed") {
  auto e = normalize(sample(), webhook, settings, now);
  REQUIRE(e.has_value());
  CHECK(e->text == "버스 정류장 의자가 부서졌어요. 연락: [phone]");
  CHECK(e->place->address == "문의 [phone], 종로구");
}

TEST_CASE("the author becomes a stable pseudonym that depends on key and channel") {
  auto a = normalize(sample(), webhook, settings, now);
  auto b = normalize(sample(), webhook, settings, now);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->author_id == b->author_id);
  CHECK(a->author_id->size() == 32);
  CHECK(a->author_id->find("minsu") == std::string::npos);
  CHECK(pseudonymous_author("other-key-000000", "telegram", "minsu_kim") != *a->author_id);
  CHECK(pseudonymous_author("unit-test-author-key", "line", "minsu_kim") != *a->author_id);
}

TEST_CASE("a given language is kept; otherwise it is guessed") {
  auto m = sample();
  m.text = "The bus shelter bench is broken";
  CHECK(normalize(m, webhook, settings, now)->language == "en");
  m.language = "ko";
  CHECK(normalize(m, webhook, settings, now)->language == "ko");
}

TEST_CASE("text that is nothing but white space and control characters is refused") {
  auto m = sample();
  m.text = " \t\x01\x02 \n";
  auto e = normalize(m, webhook, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::too_short);
  CHECK(e.error().pointer == "/text");
}

TEST_CASE("text of nothing but invisible characters is refused; a visible one among them is kept") {
  auto m = sample();
  m.text = "\u200b\ufeff \u200d\u2028";
  auto e = normalize(m, webhook, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::too_short);
  CHECK(e.error().pointer == "/text");
  m.text = "\u200b\uac00\ufeff";  // 가 between them
  CHECK(normalize(m, webhook, settings, now).has_value());
  // The Hangul fillers, variation selectors and marks with nothing to mark draw nothing.
  for (const char* invisible :
       {"\u3164\u3164", "\u115f\u1160", "\ufe0e\ufe0f", "\u0301\u0308", "\uffa0 \u3164"}) {
    m.text = invisible;
    auto refused = normalize(m, webhook, settings, now);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::too_short);
  }
  m.text = "e\u0301";  // é, decomposed: a letter and its mark
  CHECK(normalize(m, webhook, settings, now).has_value());
  m.text = "\u2764\ufe0f";  // ❤️: an emoji with its presentation selector
  CHECK(normalize(m, webhook, settings, now).has_value());
}

TEST_CASE(
    "text, address and attributes longer than the envelope allows once normalized are refused") {
  // U+0958 is one code point that NFC makes two; "a@b.co " masks to "[email] ".
  std::string devanagari;
  for (int i = 0; i < 8000; ++i) devanagari += "\u0958";
  auto m = sample();
  m.text = devanagari;
  auto e = normalize(m, webhook, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::too_long);
  CHECK(e.error().pointer == "/text");
  CHECK(e.error().message.find("16000") != std::string::npos);

  std::string emails;
  while (emails.size() + 7 <= 8000) emails += "a@b.co ";
  m.text = emails;
  e = normalize(m, webhook, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().pointer == "/text");

  m = sample();
  m.place->address = devanagari.substr(0, 500 * 3);  // 500 characters, 1000 once normalized
  e = normalize(m, webhook, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::too_long);
  CHECK(e.error().pointer == "/location/address");

  m = sample();
  m.text = devanagari.substr(0, 4000 * 3);  // 8000 once normalized: exactly the limit
  CHECK(normalize(m, webhook, settings, now).has_value());
}

TEST_CASE(
    "who vouched decides the key's namespace and the source: a bridge never gets a "
    "webhook's key") {
  sender bridge{sender::kind::bridge, "relay-1", {}};
  auto from_bridge = normalize(sample(), bridge, settings, now);
  auto from_webhook = normalize(sample(), webhook, settings, now);
  REQUIRE(from_bridge.has_value());
  REQUIRE(from_webhook.has_value());
  CHECK(from_webhook->idempotency_key == "telegram:upd-884");
  CHECK(from_webhook->source == "/gateway/channels/telegram");
  CHECK(from_bridge->idempotency_key == "bridge/relay-1/telegram:upd-884");
  CHECK(from_bridge->source == "/gateway/bridges/relay-1");
  CHECK(from_bridge->channel == "telegram");
  CHECK(envelope::parse_json(envelope::to_json(*from_bridge))->source == from_bridge->source);
}

TEST_CASE("control characters and NUL are removed from the address by the text's rule") {
  inbound_message m = sample();
  constexpr char address[] = "종로구\0 세종대로\n";
  m.place->address = std::string(address, sizeof address - 1);
  auto e = normalize(m, webhook, settings, now);
  REQUIRE(e.has_value());
  CHECK(e->place->address == "종로구 세종대로");
}

TEST_CASE("an Open311 service and its attributes reach the envelope, masked") {
  inbound_message m = sample();
  m.service = envelope::service_reference{"pothole", "roads"};
  m.attributes = {{"depth", {"deep"}}, {"contact", {"call 010-2345-6789"}}};
  auto e = normalize(m, webhook, settings, now);
  REQUIRE(e.has_value());
  REQUIRE(e->service);
  CHECK(e->service->division == "roads");
  REQUIRE(e->attributes.size() == 2);
  CHECK(e->attributes[1].values[0] == "call [phone]");
  auto back = envelope::parse_json(envelope::to_json(*e));
  REQUIRE(back.has_value());
  CHECK(back->attributes == e->attributes);
  CHECK(back->service == e->service);
}
