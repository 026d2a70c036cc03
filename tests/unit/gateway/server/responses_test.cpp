#include "gateway/server/responses.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "common/error/errc.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  REQUIRE(d.IsObject());
  return d;
}

ingest::outcome stored() { return {"m-1", std::nullopt, false, "feedback.ingested", 3, 42}; }

ingest::outcome rejected() {
  return {"m-2", field_error{errc::missing_field, "/text", "is required"}, false, {}, -1, -1};
}

}  // namespace

TEST_CASE("an ack frame names the message and where Kafka stored it") {
  auto d = parse(server::websocket_frame(stored()));
  CHECK(std::string(d["type"].GetString()) == "ack");
  CHECK(std::string(d["id"].GetString()) == "m-1");
  CHECK(std::string(d["topic"].GetString()) == "feedback.ingested");
  CHECK(d["partition"].GetInt() == 3);
  CHECK(d["offset"].GetInt64() == 42);
}

TEST_CASE("a nack frame says what, where and whether to retry") {
  auto d = parse(server::websocket_frame(rejected()));
  CHECK(std::string(d["type"].GetString()) == "nack");
  CHECK(std::string(d["code"].GetString()) == "missing_field");
  CHECK(std::string(d["pointer"].GetString()) == "/text");
  CHECK(std::string(d["message"].GetString()) == "/text is required");
  CHECK(d["retryable"].GetBool() == false);

  ingest::outcome anonymous = rejected();
  anonymous.id.clear();
  CHECK(parse(server::websocket_frame(anonymous))["id"].IsNull());
}

TEST_CASE("HTTP status follows the outcome") {
  CHECK(server::http_status(stored()) == 200);
  CHECK(server::http_status(rejected()) == 400);
  ingest::outcome big = rejected();
  big.error->code = errc::too_large;
  CHECK(server::http_status(big) == 413);
  ingest::outcome busy = rejected();
  busy.error->code = errc::overloaded;
  busy.retryable = true;
  CHECK(server::http_status(busy) == 429);
  busy.error->code = errc::unavailable;
  CHECK(server::http_status(busy) == 503);
}

TEST_CASE("problem details follow RFC 9457 with the pointer as an extension") {
  auto d = parse(server::problem_body(rejected()));
  CHECK(d["status"].GetUint() == 400);
  CHECK(std::string(d["type"].GetString()) == "urn:civic-gateway:problem:missing_field");
  CHECK(std::string(d["detail"].GetString()) == "/text is required");
  CHECK(std::string(d["pointer"].GetString()) == "/text");
  CHECK(d.HasMember("title"));
}

TEST_CASE("a batch answer has one result per line, counted") {
  auto d = parse(server::batch_body({1, 3}, {stored(), rejected()}));
  CHECK(d["stored"].GetUint() == 1);
  CHECK(d["failed"].GetUint() == 1);
  const auto& results = d["results"];
  REQUIRE(results.Size() == 2);
  CHECK(results[0]["line"].GetUint() == 1);
  CHECK(std::string(results[0]["status"].GetString()) == "stored");
  CHECK(results[1]["line"].GetUint() == 3);
  CHECK(std::string(results[1]["status"].GetString()) == "rejected");
}

TEST_CASE("every frame the gateway writes validates against the frame schema") {
  rapidjson::Document schema_doc;
  schema_doc.Parse(
      civic::test::read_file(civic::test::schemas_dir() / "ws-server-frame.v1.schema.json")
          .c_str());
  REQUIRE(schema_doc.IsObject());
  rapidjson::SchemaDocument schema(schema_doc);

  ingest::outcome unreadable = rejected();
  unreadable.id.clear();
  ingest::outcome retry = rejected();
  retry.error = field_error{errc::unavailable, "", "Kafka is unreachable"};
  retry.retryable = true;
  for (const auto& o : {stored(), rejected(), unreadable, retry}) {
    std::string frame = server::websocket_frame(o);
    CAPTURE(frame);
    rapidjson::Document doc;
    doc.Parse(frame.c_str());
    rapidjson::SchemaValidator validator(schema);
    CHECK(doc.Accept(validator));
  }
}
