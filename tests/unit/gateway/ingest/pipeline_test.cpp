// The pipeline without Kafka: admission, grants, control characters and the
// key namespaces, with a recording sink in place of the publisher.
#include "gateway/ingest/pipeline.hpp"

#include <doctest/doctest.h>

#include "common/error/errc.hpp"
#include "common/kafka/kafka_error.hpp"
#include "support/gateway_fakes.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

struct fixture {
  test::recording_sink sink;
  ingest::in_flight_budget budget{1024};
  ops::metrics metrics;
  ingest::pipeline pipeline{{}, {"unit-test-author-key-0123"}, sink, budget, metrics};

  ingest::outcome submit(std::string_view json, const ingest::sender& from) {
    std::optional<ingest::outcome> got;
    pipeline.submit(json, from, std::nullopt, [&](ingest::outcome o) { got = std::move(o); });
    REQUIRE(got);
    return *got;
  }
  std::string text() const { return metrics.render({}); }
};

ingest::sender bridge(std::string name, std::vector<std::string> allowed) {
  return {ingest::sender::kind::bridge, std::move(name), [allowed](std::string_view channel) {
            return std::find(allowed.begin(), allowed.end(), channel) != allowed.end();
          }};
}

}  // namespace

TEST_CASE(
    "admission refuses, and counts, when the gateway is stopping, Kafka is down or the "
    "budget is full") {
  fixture f;
  auto first = f.pipeline.admit(1000);
  REQUIRE(first);
  auto full = f.pipeline.admit(100);
  REQUIRE_FALSE(full);
  CHECK(full.error() == errc::overloaded);
  first->release();
  CHECK(f.pipeline.admit(100));  // released: room again (the ticket above is dropped at once)

  f.sink.ready = false;
  CHECK(f.pipeline.admit(10).error() == errc::unavailable);
  f.sink.ready = true;
  f.pipeline.begin_shutdown();
  CHECK(f.pipeline.admit(10).error() == errc::shutting_down);
  std::string text = f.text();
  for (const char* reason : {"overloaded", "unavailable", "shutting_down"}) {
    CAPTURE(reason);
    CHECK(text.find(std::string("gateway_refused_total{reason=\"") + reason + "\"} 1") !=
          std::string::npos);
  }
}

TEST_CASE("a ticket holds its bytes until dropped; a waiter is woken when room comes free") {
  fixture f;
  auto held = f.pipeline.admit(1024);
  REQUIRE(held);
  int woken = 0;
  CHECK_FALSE(f.pipeline.admit_or_wait(10, [&] { ++woken; }));
  CHECK(f.budget.used_bytes() == 1024);
  { ingest::ticket dropped = std::move(*held); }
  CHECK(woken == 1);
  CHECK(f.budget.used_bytes() == 0);
  CHECK(f.pipeline.admit_or_wait(10, [] {}));
}

TEST_CASE(
    "a bridge without the grant cannot send as a channel: 403 at /channel, nothing "
    "published") {
  fixture f;
  auto o = f.submit(R"({"id":"918273001","channel":"telegram","text":"forged"})",
                    bridge("relay", {"callcentre"}));
  REQUIRE(o.error);
  CHECK(o.error->code == errc::forbidden);
  CHECK(o.error->pointer == "/channel");
  CHECK_FALSE(o.retryable());
  CHECK(f.sink.published.empty());
  CHECK(f.text().find("gateway_rejected_total{reason=\"forbidden\"} 1") != std::string::npos);
}

TEST_CASE(
    "a granted bridge's message is keyed in the bridge's namespace, a webhook's in the "
    "channel's") {
  fixture f;
  auto o = f.submit(R"({"id":"c-1","channel":"callcentre","text":"가로등이 꺼졌어요"})",
                    bridge("relay", {"callcentre"}));
  CHECK_FALSE(o.error);
  ingest::inbound_message m;
  m.id = "918273001";
  m.channel = "telegram";
  m.text = "가로등이 꺼졌어요";
  f.pipeline.submit(std::move(m), ingest::sender::webhook("telegram"), std::nullopt,
                    [](ingest::outcome) {});
  REQUIRE(f.sink.published.size() == 2);
  CHECK(f.sink.published[0].envelope.idempotency_key == "bridge/relay/callcentre:c-1");
  CHECK(f.sink.published[0].envelope.source == "/gateway/bridges/relay");
  CHECK(f.sink.published[1].envelope.idempotency_key == "telegram:918273001");
  CHECK(f.sink.published[1].envelope.source == "/gateway/channels/telegram");
}

TEST_CASE("control characters are refused in identifiers, with the pointer, and never echoed") {
  fixture f;
  auto from = bridge("relay", {"callcentre"});
  struct bad {
    std::string json, pointer;
  };
  for (const auto& b : std::vector<bad>{
           {R"({"id":"a\u0000b","channel":"callcentre","text":"t"})", "/id"},
           {R"({"id":"a\nb","channel":"callcentre","text":"t"})", "/id"},
           {R"({"id":"a\u0085b","channel":"callcentre","text":"t"})", "/id"},
           {R"({"id":"1","channel":"callcentre","text":"t","author":"x\u001by"})", "/author"},
           {R"({"id":"1","channel":"callcentre","text":"t","conversation_id":"c\r"})",
            "/conversation_id"},
           {R"({"id":"1","channel":"callcentre","text":"t","reply_message_id":"\u007f"})",
            "/reply_message_id"},
           {R"({"id":"1","channel":"call\ncentre","text":"t"})", "/channel"},
           // Characters that make an id show as another one, or break its line.
           {R"({"id":"a\u202eb","channel":"callcentre","text":"t"})", "/id"},
           {R"({"id":"a\u2028b","channel":"callcentre","text":"t"})", "/id"},
           {R"({"id":"1","channel":"callcentre","text":"t","author":"\u200bminsu"})", "/author"},
           {R"({"id":"1","channel":"callcentre","text":"t","conversation_id":"c\ufeff"})",
            "/conversation_id"},
       }) {
    CAPTURE(b.json);
    auto o = f.submit(b.json, from);
    REQUIRE(o.error);
    CHECK(o.error->code == errc::invalid_value);
    CHECK(o.error->pointer == b.pointer);
    CHECK(o.id.find_first_of(std::string("\0\n\r", 3)) == std::string::npos);
  }
  CHECK(f.sink.published.empty());
  // NUL in the text is removed by the text's rule, and the message is stored.
  CHECK_FALSE(f.submit(R"({"id":"2","channel":"callcentre","text":"a\u0000b"})", from).error);
  CHECK(f.sink.published.at(0).envelope.text == "ab");
}

TEST_CASE(
    "retryable comes from the error: a full producer queue may succeed later, a Kafka "
    "refusal for good may not") {
  fixture f;
  auto from = bridge("relay", {"callcentre"});
  f.sink.refuse_with = errc::overloaded;
  auto busy = f.submit(R"({"id":"3","channel":"callcentre","text":"t"})", from);
  CHECK(busy.retryable());
  f.sink.refuse_with = {};
  f.sink.hold = true;
  std::optional<ingest::outcome> failed;
  f.pipeline.submit(R"({"id":"4","channel":"callcentre","text":"t"})", from, std::nullopt,
                    [&](ingest::outcome o) { failed = std::move(o); });
  f.sink.deliver(make_kafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  REQUIRE(failed);
  REQUIRE(failed->error);
  CHECK_FALSE(failed->retryable());
}
