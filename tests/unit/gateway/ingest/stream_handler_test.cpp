// The WebSocket ingest handler without Beast: its window, the global budget,
// nacks for frames it cannot take, the drain before closing at shutdown, delivery
// reports taken up in bursts, and batched acks for a bridge that asks for them.
#include "gateway/ingest/stream_handler.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "gateway/ingest/routes.hpp"
#include "support/gateway_fakes.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

struct fixture {
  test::recording_sink sink;
  ingest::in_flight_budget budget;
  ops::metrics metrics;
  ingest::pipeline pipeline;
  std::shared_ptr<test::recording_connection> connection =
      std::make_shared<test::recording_connection>();
  std::shared_ptr<ingest::stream_handler> handler;

  explicit fixture(size_t budget_bytes = 1 << 20, size_t window = 2, bool batch_acks = false)
      : budget(budget_bytes), pipeline({}, {"unit-test-author-key-0123"}, sink, budget, metrics) {
    sink.hold = true;
    ingest::sender from{ingest::sender::kind::bridge, "relay",
                        [](std::string_view) { return true; }};
    handler = std::make_shared<ingest::stream_handler>(
        pipeline, from, ingest::stream_options{window, batch_acks, true});
    handler->on_open(connection);
  }
  static std::string frame(int i) {
    return R"({"id":"m-)" + std::to_string(i) + R"(","channel":"callcentre","text":"가로등"})";
  }
};

}  // namespace

TEST_CASE(
    "the window closes after max_in_flight unanswered frames and opens as answers are "
    "written") {
  fixture f;
  CHECK(f.handler->wants_frames());
  f.handler->on_frame(fixture::frame(1), true);
  f.handler->on_frame(fixture::frame(2), true);
  CHECK_FALSE(f.handler->wants_frames());  // two unanswered
  f.sink.deliver();                        // Kafka answers both
  f.connection->run_posted();
  CHECK_FALSE(f.handler->wants_frames());  // answers queued, not yet written
  CHECK(f.connection->write_one(*f.handler));
  CHECK(f.handler->wants_frames());
  CHECK(f.connection->sent[0].find(R"("type":"ack")") != std::string::npos);
}

TEST_CASE("a frame over the budget is held, reading pauses, and it goes on when room frees") {
  fixture f(fixture::frame(1).size() + 10);
  f.handler->on_frame(fixture::frame(1), true);
  f.handler->on_frame(fixture::frame(2), true);  // no room: held
  CHECK_FALSE(f.handler->wants_frames());
  CHECK(f.sink.published.size() == 1);
  f.sink.deliver();            // the first is stored: its bytes are released on the strand
  f.connection->run_posted();  // answer sent, budget released, held frame resubmitted
  CHECK(f.sink.published.size() == 2);
  CHECK(f.connection->resumed >= 1);
  f.sink.deliver();
  f.connection->run_posted();
  CHECK(f.connection->queue.size() == 2);
}

TEST_CASE("a binary frame and a frame during shutdown are nacked, not dropped") {
  fixture f;
  f.handler->on_frame("\x01\x02", false);
  f.handler->on_shutdown();
  f.handler->on_frame(fixture::frame(3), true);
  REQUIRE(f.connection->queue.size() == 2);
  CHECK(f.connection->queue[0].find(R"("code":"wrong_type")") != std::string::npos);
  CHECK(f.connection->queue[1].find(R"("code":"shutting_down")") != std::string::npos);
  CHECK(f.connection->queue[1].find(R"("id":"m-3")") != std::string::npos);
  CHECK(f.connection->queue[1].find(R"("retryable":true)") != std::string::npos);
  CHECK(f.sink.published.empty());
}

TEST_CASE("at shutdown the connection closes with 1001 only once every answer is written") {
  fixture f;
  f.handler->on_frame(fixture::frame(4), true);
  f.handler->on_shutdown();
  CHECK_FALSE(f.handler->wants_frames());
  CHECK_FALSE(f.connection->closed_with);
  f.sink.deliver();
  f.connection->run_posted();
  CHECK_FALSE(f.connection->closed_with);  // the ack is not written yet
  f.connection->write_one(*f.handler);
  CHECK(f.connection->closed_with == 1001);
}

TEST_CASE("delivery reports that arrive together wake the connection once") {
  fixture f(1 << 20, 8);
  for (int i = 0; i < 5; ++i) f.handler->on_frame(fixture::frame(i), true);
  f.sink.deliver();  // five reports from the producer's thread
  CHECK(f.connection->posted.size() == 1);
  f.connection->run_posted();
  CHECK(f.connection->queue.size() == 5);  // one ack frame each (the default)
  while (f.connection->write_one(*f.handler)) {
  }
  CHECK(f.handler->in_flight() == 0);
}

TEST_CASE(
    "batched acks: one frame lists every ack ready together; nacks stay frames of their own") {
  fixture f(1 << 20, 8, true);
  CHECK(f.handler->subprotocol() == "civic.batch-acks.v1");
  f.handler->on_frame(fixture::frame(1), true);
  f.sink.deliver();
  f.connection->run_posted();
  REQUIRE(f.connection->queue.size() == 1);  // nothing was being written: sent at once
  for (int i = 2; i <= 4; ++i) f.handler->on_frame(fixture::frame(i), true);
  f.handler->on_frame("{", true);  // malformed: a nack, at once
  f.sink.deliver();
  f.connection->run_posted();
  // The first frame is still being written: the three acks wait for it.
  REQUIRE(f.connection->queue.size() == 2);
  CHECK(f.connection->queue[1].find(R"("type":"nack")") != std::string::npos);
  CHECK(f.handler->in_flight() == 5);
  f.connection->write_one(*f.handler);
  f.connection->write_one(*f.handler);
  REQUIRE(f.connection->queue.size() == 1);
  rapidjson::Document acks;
  acks.Parse(f.connection->queue[0].c_str());
  REQUIRE(acks.IsObject());
  CHECK(std::string(acks["type"].GetString()) == "acks");
  REQUIRE(acks["acks"].Size() == 3);
  CHECK(std::string(acks["acks"][0]["id"].GetString()) == "m-2");
  CHECK(std::string(acks["acks"][2]["id"].GetString()) == "m-4");
  CHECK(acks["acks"][1]["offset"].GetInt64() >= 0);
  CHECK(f.handler->in_flight() == 3);  // answered only once written
  f.connection->write_one(*f.handler);
  CHECK(f.handler->in_flight() == 0);
}

TEST_CASE("batched acks are chosen by the Sec-WebSocket-Protocol the bridge offers") {
  fixture f;
  auto bridge = [](const http::request&) -> expected<ingest::sender, http::response> {
    return ingest::sender{ingest::sender::kind::bridge, "relay", {}};
  };
  auto factory = ingest::stream_factory(f.pipeline, {}, bridge);
  auto offered = [&](std::string protocols) {
    test::request_builder upgrade;
    upgrade.method = "GET";
    if (!protocols.empty()) upgrade.headers.emplace_back("Sec-WebSocket-Protocol", protocols);
    auto handler = factory(upgrade.build());
    REQUIRE(handler);
    return (*handler)->subprotocol();
  };
  CHECK(offered("") == "");
  CHECK(offered("chat, civic.batch-acks.v1") == "civic.batch-acks.v1");
  CHECK(offered("civic.batch-acks.v2") == "");
}
