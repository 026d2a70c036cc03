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

const normalize_settings settings{"unit-test-author-key"};
const auto now = system_clock::time_point(milliseconds(1'763'773'953'512));

}  // namespace

TEST_CASE("a normalized message is a valid envelope v1") {
  auto e = normalize(sample(), settings, now);
  REQUIRE(e.has_value());
  CHECK(e->idempotency_key == "telegram:upd-884");
  CHECK(e->channel_message_id == "upd-884");
  CHECK(e->received_at == "2025-11-22T01:12:33.512Z");
  CHECK(e->id.substr(0, 8) == "019aa91e");  // time-ordered: starts with the received millisecond
  CHECK(e->language == "ko");
  REQUIRE(e->reply_to);
  CHECK(e->reply_to->channel == "telegram");
  CHECK(e->reply_to->conversation_id == "chat-17");
  CHECK(envelope::parse_json(envelope::to_json(*e)).has_value());
}

TEST_CASE("personal data is masked in the text and the address, and the text is trimmed") {
  auto e = normalize(sample(), settings, now);
  REQUIRE(e.has_value());
  CHECK(e->text == "버스 정류장 의자가 부서졌어요. 연락: [phone]");
  CHECK(e->place->address == "문의 [phone], 종로구");
}

TEST_CASE("the author becomes a stable pseudonym that depends on key and channel") {
  auto a = normalize(sample(), settings, now);
  auto b = normalize(sample(), settings, now);
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
  CHECK(normalize(m, settings, now)->language == "en");
  m.language = "ko";
  CHECK(normalize(m, settings, now)->language == "ko");
}

TEST_CASE("text that is nothing but white space and control characters is refused") {
  auto m = sample();
  m.text = " \t\x01\x02 \n";
  auto e = normalize(m, settings, now);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::too_short);
  CHECK(e.error().pointer == "/text");
}
