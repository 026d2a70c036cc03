#include "gateway/ingest/answers.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "common/error/errc.hpp"
#include "common/kafka/kafka_error.hpp"
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

ingest::outcome stored() { return {"m-1", std::nullopt, "feedback.ingested", 3, 42}; }

ingest::outcome failed(std::error_code code, std::string pointer = "/text",
                       std::string message = "is required") {
  return {"m-2", field_error{code, std::move(pointer), std::move(message)}, {}, -1, -1};
}

ingest::outcome rejected() { return failed(errc::missing_field); }

}  // namespace

TEST_CASE("an ack frame names the message and where Kafka stored it") {
  auto d = parse(ingest::websocket_frame(stored()));
  CHECK(std::string(d["type"].GetString()) == "ack");
  CHECK(std::string(d["id"].GetString()) == "m-1");
  CHECK(std::string(d["topic"].GetString()) == "feedback.ingested");
  CHECK(d["partition"].GetInt() == 3);
  CHECK(d["offset"].GetInt64() == 42);
}

TEST_CASE("a nack frame says what, where and whether to retry") {
  auto d = parse(ingest::websocket_frame(rejected()));
  CHECK(std::string(d["type"].GetString()) == "nack");
  CHECK(std::string(d["code"].GetString()) == "missing_field");
  CHECK(std::string(d["pointer"].GetString()) == "/text");
  CHECK(std::string(d["message"].GetString()) == "/text is required");
  CHECK(d["retryable"].GetBool() == false);

  ingest::outcome anonymous = rejected();
  anonymous.id.clear();
  CHECK(parse(ingest::websocket_frame(anonymous))["id"].IsNull());
}

TEST_CASE("retryable comes from the error itself, not from where it was refused") {
  CHECK_FALSE(failed(errc::missing_field).retryable());
  CHECK(failed(errc::unavailable).retryable());
  CHECK(failed(errc::overloaded).retryable());
  CHECK(failed(make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)).retryable());
  CHECK_FALSE(failed(make_kafka_error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)).retryable());
  CHECK(parse(ingest::websocket_frame(failed(errc::shutting_down)))["retryable"].GetBool());
}

TEST_CASE(
    "the HTTP status follows the error: 429 for a client over its rate, 503 for a "
    "gateway or Kafka that cannot take it now, both with Retry-After") {
  CHECK(ingest::http_answer(stored()).status == 200);
  CHECK(ingest::http_answer(rejected()).status == 400);
  CHECK(ingest::http_answer(failed(errc::too_large)).status == 413);
  CHECK(ingest::http_answer(failed(errc::forbidden, "/channel")).status == 403);
  for (auto code : {errc::overloaded, errc::unavailable, errc::shutting_down}) {
    auto answer = ingest::http_answer(failed(code, ""));
    CHECK(answer.status == 503);
    CHECK(answer.retry_after.has_value());
  }
  auto limited = ingest::http_answer(failed(errc::rate_limited, ""));
  CHECK(limited.status == 429);
  CHECK(limited.retry_after.has_value());
  CHECK_FALSE(ingest::http_answer(rejected()).retry_after.has_value());
  CHECK(
      ingest::http_answer(failed(make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT), "")).status ==
      503);
}

TEST_CASE("problem details follow RFC 9457 with the pointer as an extension") {
  auto answer = ingest::http_answer(rejected());
  CHECK(answer.content_type == "application/problem+json");
  auto d = parse(answer.body);
  CHECK(d["status"].GetUint() == 400);
  CHECK(std::string(d["type"].GetString()) == "urn:civic-gateway:problem:missing_field");
  CHECK(std::string(d["detail"].GetString()) == "/text is required");
  CHECK(std::string(d["pointer"].GetString()) == "/text");
  CHECK(std::string(d["id"].GetString()) == "m-2");
  CHECK(d["retryable"].GetBool() == false);
  CHECK(d.HasMember("title"));
}

TEST_CASE("a batch answer has one result per line, counted") {
  auto d = parse(ingest::batch_body({1, 3, 4}, {stored(), rejected(), failed(errc::unavailable)}));
  CHECK(d["stored"].GetUint() == 1);
  CHECK(d["failed"].GetUint() == 2);
  const auto& results = d["results"];
  REQUIRE(results.Size() == 3);
  CHECK(results[0]["line"].GetUint() == 1);
  CHECK(std::string(results[0]["status"].GetString()) == "stored");
  CHECK(results[1]["line"].GetUint() == 3);
  CHECK(std::string(results[1]["status"].GetString()) == "rejected");
  CHECK(std::string(results[2]["status"].GetString()) == "refused");
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
  for (const auto& o : {stored(), rejected(), unreadable, failed(errc::unavailable, ""),
                        failed(errc::forbidden, "/channel")}) {
    std::string frame = ingest::websocket_frame(o);
    CAPTURE(frame);
    rapidjson::Document doc;
    doc.Parse(frame.c_str());
    rapidjson::SchemaValidator validator(schema);
    CHECK(doc.Accept(validator));
  }
  std::string acks = ingest::websocket_acks_frame({stored(), stored()});
  CAPTURE(acks);
  rapidjson::Document doc;
  doc.Parse(acks.c_str());
  rapidjson::SchemaValidator validator(schema);
  CHECK(doc.Accept(validator));
}

TEST_CASE("an acks frame lists each ack as an ack frame without its type") {
  ingest::outcome second{"m-9", std::nullopt, "feedback.ingested", 1, 7};
  auto d = parse(ingest::websocket_acks_frame({stored(), second}));
  CHECK(std::string(d["type"].GetString()) == "acks");
  REQUIRE(d["acks"].Size() == 2);
  CHECK(std::string(d["acks"][0]["id"].GetString()) == "m-1");
  CHECK(d["acks"][0]["offset"].GetInt64() == 42);
  CHECK(std::string(d["acks"][1]["id"].GetString()) == "m-9");
  CHECK(d["acks"][1]["partition"].GetInt() == 1);
  CHECK_FALSE(d["acks"][1].HasMember("type"));
}
