#include "gateway/http/routes.hpp"

#include <doctest/doctest.h>

#include "gateway/http/problem.hpp"
#include "support/gateway_fakes.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

http::handler named(std::string name, std::string& called) {
  return [name, &called](const http::request&, http::responder) { called = name; };
}

}  // namespace

TEST_CASE("a route is found by method and path, with its {name} segments and * rest") {
  std::string called;
  http::routes r;
  r.add("POST", "/v1/messages", named("messages", called));
  r.add("POST", "/v1/cases/{id}/updates", named("updates", called));
  r.add("GET", "/v1/webhooks/{channel}/*", named("webhook", called));

  auto m = r.find("POST", "/v1/cases/case-42/updates", false);
  REQUIRE(m.http);
  CHECK(m.params.get("id") == "case-42");
  (*m.http)(test::request_builder{}.build(), http::responder(nullptr));
  CHECK(called == "updates");

  m = r.find("GET", "/v1/webhooks/meta", false);
  REQUIRE(m.http);
  CHECK(m.params.get("channel") == "meta");
  CHECK(m.params.rest().empty());
  m = r.find("GET", "/v1/webhooks/open311/services/pothole.json", false);
  REQUIRE(m.http);
  CHECK(m.params.rest() == "/services/pothole.json");

  CHECK_FALSE(r.find("POST", "/v1/cases//updates", false).http);
  CHECK_FALSE(r.find("POST", "/v1/messages/extra", false).http);
}

TEST_CASE(
    "a path with other methods is 405 with Allow; no path is 404; a WebSocket route "
    "without an upgrade is 426") {
  std::string called;
  http::routes r;
  r.add("POST", "/v1/messages", named("messages", called));
  r.add("PUT", "/v1/messages", named("put", called));
  r.add_websocket("/v1/stream", [](const http::request&) {
    return expected<std::shared_ptr<http::ws_handler>, http::response>(nullptr);
  });

  auto m = r.find("GET", "/v1/messages", false);
  REQUIRE(m.refusal);
  CHECK(m.refusal->status == 405);
  CHECK(m.refusal->headers ==
        std::vector<std::pair<std::string, std::string>>{{"Allow", "POST, PUT"}});
  CHECK(m.refusal->body.find("\"code\":\"method_not_allowed\"") != std::string::npos);

  CHECK(r.find("GET", "/nowhere", false).refusal->status == 404);
  CHECK(r.find("GET", "/v1/stream", false).refusal->status == 426);
  CHECK(r.find("GET", "/v1/stream", true).websocket);
  CHECK(r.find("GET", "/v1/messages", true).refusal->status == 404);  // no WebSocket there
}

TEST_CASE("HEAD is answered by the GET route (the session sends no body); Allow names it") {
  std::string called;
  http::routes r;
  r.add("GET", "/open/v1/cases", named("cases", called));
  auto m = r.find("HEAD", "/open/v1/cases", false);
  REQUIRE(m.http);
  (*m.http)(test::request_builder{}.build(), http::responder(nullptr));
  CHECK(called == "cases");
  m = r.find("POST", "/open/v1/cases", false);
  REQUIRE(m.refusal);
  CHECK(m.refusal->headers ==
        std::vector<std::pair<std::string, std::string>>{{"Allow", "GET, HEAD"}});
  r.add("POST", "/v1/messages", named("messages", called));
  CHECK(r.find("HEAD", "/v1/messages", false).refusal->status == 405);
}

TEST_CASE("a responder answers once: the first answer wins, a late one is ignored") {
  auto sink = std::make_shared<test::recording_answers>();
  http::responder answer(sink);
  answer.answer_within(std::chrono::milliseconds(5), [] { return http::json(202, ""); });
  answer(http::json(200, ""));
  sink->deadline();  // the deadline fires after the real answer: nothing more
  answer(http::json(500, ""));
  REQUIRE(sink->answers.size() == 1);
  CHECK(sink->answers[0].status == 200);

  auto late_sink = std::make_shared<test::recording_answers>();
  http::responder slow(late_sink);
  slow.answer_within(std::chrono::milliseconds(5), [] { return http::json(202, ""); });
  late_sink->deadline();
  slow(http::json(200, ""));  // Kafka answered after the deadline
  REQUIRE(late_sink->answers.size() == 1);
  CHECK(late_sink->answers[0].status == 202);
}
