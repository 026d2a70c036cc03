// POST /v1/messages without Beast: credential first, then the content type,
// admission, and one answer per request.
#include <doctest/doctest.h>

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/ingest/routes.hpp"
#include "support/gateway_fakes.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

struct fixture {
  test::recording_sink sink;
  ingest::in_flight_budget budget{1 << 20};
  ops::metrics metrics;
  ingest::pipeline pipeline{{}, {"unit-test-author-key-0123"}, sink, budget, metrics};
  ingest::authenticate auth =
      [](const http::request& r) -> expected<ingest::sender, http::response> {
    if (!r.header("Authorization")) return unexpected(http::json(401, ""));
    return ingest::sender{ingest::sender::kind::bridge, "relay",
                          [](std::string_view c) { return c != "telegram"; }};
  };
  http::handler handler = ingest::messages_handler(pipeline, {3, 8}, auth);

  http::response post(const test::request_builder& b) {
    auto answers = std::make_shared<test::recording_answers>();
    auto req = b.build();
    handler(req, http::responder(answers));
    REQUIRE(answers->answers.size() == 1);
    return answers->answers[0];
  }
};

test::request_builder json_post(std::string body) {
  test::request_builder b;
  b.path = "/v1/messages";
  b.body = std::move(body);
  b.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer x"}};
  return b;
}

}  // namespace

TEST_CASE("no credential is refused before anything is read") {
  fixture f;
  auto b = json_post("not even JSON");
  b.headers.pop_back();
  CHECK(f.post(b).status == 401);
}

TEST_CASE(
    "one message is answered 200 once stored, with a valid traceparent carried and an "
    "invalid one ignored and counted") {
  fixture f;
  auto b = json_post(R"({"id":"m-1","channel":"callcentre","text":"가로등"})");
  b.headers.emplace_back("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(f.post(b).status == 200);
  REQUIRE(f.sink.published.size() == 1);
  CHECK(f.sink.published[0].traceparent ==
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

  for (std::string bad : {std::string("<script>alert(1)</script>"), std::string(9000, 'a'),
                          std::string("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
                          std::string("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                          std::string("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")}) {
    auto c = json_post(R"({"id":"m-2","channel":"callcentre","text":"가로등"})");
    c.headers.emplace_back("traceparent", bad);
    CHECK(f.post(c).status == 200);
    CHECK_FALSE(f.sink.published.back().traceparent);
  }
  CHECK(f.metrics.render({}).find("gateway_traceparent_ignored_total 5") != std::string::npos);
}

TEST_CASE("a channel the credential does not grant is 403 and nothing is stored") {
  fixture f;
  auto answer = f.post(json_post(R"({"id":"918273001","channel":"telegram","text":"forged"})"));
  CHECK(answer.status == 403);
  CHECK(answer.body.find(R"("code":"forbidden")") != std::string::npos);
  CHECK(answer.body.find(R"("pointer":"/channel")") != std::string::npos);
  CHECK(f.sink.published.empty());
}

TEST_CASE("another content type is 415; a full budget or Kafka down is 503 with Retry-After") {
  fixture f;
  auto b = json_post("{}");
  b.headers[0].second = "text/plain";
  CHECK(f.post(b).status == 415);
  f.sink.ready = false;
  auto down = f.post(json_post(R"({"id":"m-3","channel":"callcentre","text":"가로등"})"));
  CHECK(down.status == 503);
  CHECK(down.retry_after);
  CHECK(down.body.find(R"("code":"unavailable")") != std::string::npos);
}

TEST_CASE("an NDJSON batch is answered line by line once every line has its outcome") {
  fixture f;
  auto b = json_post(
      "{\"id\":\"b-1\",\"channel\":\"callcentre\",\"text\":\"a\"}\n\n"
      "{\"id\":\"b-2\",\"channel\":\"telegram\",\"text\":\"b\"}\n");
  b.headers[0].second = "application/x-ndjson";
  auto answer = f.post(b);
  CHECK(answer.status == 200);
  CHECK(answer.body.find(R"("stored":1,"failed":1)") != std::string::npos);
  CHECK(answer.body.find(R"("line":3)") != std::string::npos);

  auto four = json_post("{}\n{}\n{}\n{}\n");
  four.headers[0].second = "application/x-ndjson";
  CHECK(f.post(four).status == 413);
}
