#include "consumers/router/routing.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <algorithm>

#include "support/files.hpp"
#include "support/paths.hpp"

using civic::router::inbound;
using civic::router::route;

namespace {

const civic::classify::classifier& shipped() {
  static auto c = civic::classify::classifier::load(civic::test::source_dir() / "deploy/config/rules/seoul.yaml");
  REQUIRE(c.has_value());
  return **c;
}

std::string envelope_json(std::string_view text, std::string_view kind = "null") {
  return R"({"version":1,"id":"0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f","received_at":"2026-11-22T01:12:33.512Z",)"
         R"("channel":"web","channel_message_id":"W-1","idempotency_key":"web:W-1","kind":)" +
         std::string(kind) + R"(,"text":")" + std::string(text) +
         R"(","language":"ko","location":{"lat":37.5716,"lon":126.9768,"address":null,"district":null},)"
         R"("media":[],"author_id":null,"reply_to":null})";
}

std::string schema_violation(const std::string& json) {
  static rapidjson::Document schema_doc = [] {
    rapidjson::Document d;
    d.Parse(civic::test::read_file(civic::test::schemas_dir() / "routed-message.v1.schema.json"));
    return d;
  }();
  static rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document doc;
  doc.Parse(json);
  if (doc.HasParseError()) return "not JSON";
  rapidjson::SchemaValidator v(schema);
  if (doc.Accept(v)) return {};
  return v.GetInvalidSchemaKeyword();
}

const std::string* header(const civic::kafka::record& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

}  // namespace

TEST_CASE("a message for two divisions becomes one record per division, keyed by the case id") {
  const auto value = envelope_json("지하차도가 침수돼서 차량 통제 중이에요");
  inbound in{"feedback.unique", "citywide", value,
             {{"ce_id", "0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f"}, {"traceparent", "00-abc-def-01"},
              {"civic-case-id", "case-42"}, {"x-internal", "dropped"}}};
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  route(in, shipped(), {}, out, counters);
  REQUIRE(out.size() == 2);
  std::vector<std::string> topics = {out[0].topic, out[1].topic};
  std::sort(topics.begin(), topics.end());
  CHECK(topics == std::vector<std::string>{"division.roads", "division.water"});
  for (const auto& r : out) {
    CAPTURE(r.value);
    CHECK(r.key == "case-42");
    CHECK(schema_violation(r.value) == "");
    REQUIRE(header(r, "ce_id"));
    CHECK(*header(r, "traceparent") == "00-abc-def-01");
    CHECK(*header(r, "civic-case-id") == "case-42");
    CHECK(header(r, "x-internal") == nullptr);
    rapidjson::Document d;
    d.Parse(r.value);
    CHECK(std::string(d["case_id"].GetString()) == "case-42");
    CHECK(std::string(d["district"].GetString()) == "Jongno-gu");
    CHECK(d["matched"].Size() > 0);
    CHECK(std::string(d["envelope"]["text"].GetString()).starts_with("지하차도"));
  }
  CHECK(counters.two_divisions == 1);
  CHECK(counters.routed_records == 2);
}

TEST_CASE("without a case id header the envelope id is the key; the channel's kind is kept") {
  const auto value = envelope_json("감사합니다 공원 잔디가 정말 좋아졌어요", "\"idea\"");
  inbound in{"feedback.unique", "k", value, {}};
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  route(in, shipped(), {}, out, counters);
  REQUIRE_FALSE(out.empty());
  CHECK(out[0].key == "0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f");
  rapidjson::Document d;
  d.Parse(out[0].value);
  CHECK(std::string(d["kind"].GetString()) == "idea");
}

TEST_CASE("a message nothing fits goes to division.triage") {
  const auto value = envelope_json("test message please ignore");
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  route({"feedback.unique", "k", value, {}}, shipped(), {}, out, counters);
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == "division.triage");
  CHECK(counters.triage == 1);
}

TEST_CASE("an unreadable record goes to the dead letter topic with the reason, never dropped") {
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  route({"feedback.unique", "key-1", R"({"version":1,"text":"no id"})", {{"ce_id", "x"}}}, shipped(), {}, out,
        counters);
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == "feedback.deadletter");
  CHECK(out[0].key == "key-1");
  CHECK(out[0].value == R"({"version":1,"text":"no id"})");
  REQUIRE(header(out[0], "civic-deadletter-reason"));
  CHECK(header(out[0], "civic-deadletter-reason")->starts_with("envelope: "));
  CHECK(*header(out[0], "civic-deadletter-source") == "router:feedback.unique");
  CHECK(counters.deadlettered == 1);
}
