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
  static auto c = civic::classify::classifier::load(civic::test::source_dir() /
                                                    "deploy/config/rules/seoul.yaml");
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
  inbound in{"feedback.unique",
             "citywide",
             value,
             {{"ce_id", "0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f"},
              {"traceparent", "00-abc-def-01"},
              {"civic-case-id", "case-42"},
              {"x-internal", "dropped"}}};
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
  route({"feedback.unique", "key-1", R"({"version":1,"text":"no id"})", {{"ce_id", "x"}}},
        shipped(), {}, out, counters);
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == "feedback.deadletter");
  CHECK(out[0].key == "key-1");
  CHECK(out[0].value == R"({"version":1,"text":"no id"})");
  REQUIRE(header(out[0], "civic-deadletter-reason"));
  CHECK(header(out[0], "civic-deadletter-reason")->starts_with("envelope: "));
  CHECK(*header(out[0], "civic-deadletter-source") == "router:feedback.unique");
  CHECK(counters.deadlettered == 1);
}

namespace {

std::size_t record_bytes(const civic::kafka::record& r) {
  std::size_t n = r.key.size() + r.value.size();
  for (const auto& h : r.headers) n += h.name.size() + h.value.size();
  return n;
}

// An envelope whose text is about `bytes` long, of a message the rules route to
// water and roads.
std::string large_envelope(std::size_t bytes) {
  std::string text = "지하차도가 침수돼서 차량 통제 중이에요 ";
  while (text.size() < bytes) text += "zz ";
  return envelope_json(text);
}

}  // namespace

TEST_CASE(
    "an input record over router.max_input_bytes is dead-lettered with a reference, not routed") {
  // About 1 MiB, as the reviewer's case: routed, it would be over message.max.bytes.
  const auto value = large_envelope(1024 * 1024 - 600);
  inbound in{"feedback.unique", "citywide", value, {{"civic-case-id", "case-big"}}, 4, 1234};
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  const civic::router::route_limits limits;  // the defaults: 512 KiB in, 960,000 bytes out
  route(in, shipped(), {}, out, counters, limits);
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == "feedback.deadletter");
  CHECK(out[0].key == "citywide");
  CHECK(record_bytes(out[0]) <= limits.max_output_bytes);
  CHECK(*header(out[0], "civic-deadletter-reason") ==
        "too large: the record is " + std::to_string(value.size()) +
            " bytes, over router.max_input_bytes (524288)");
  // The value is valid JSON naming where the input lies, never a cut-off copy.
  rapidjson::Document d;
  d.Parse(out[0].value);
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["too_large"]["topic"].GetString()) == "feedback.unique");
  CHECK(d["too_large"]["partition"].GetInt() == 4);
  CHECK(d["too_large"]["offset"].GetInt64() == 1234);
  CHECK(d["too_large"]["bytes"].GetUint64() == value.size());
  CHECK(counters.deadlettered == 1);
  CHECK(counters.too_large == 1);
  CHECK(counters.routed_records == 0);
}

TEST_CASE(
    "a message whose routed record would exceed router.max_output_bytes goes whole to the dead "
    "letters") {
  const auto value = large_envelope(3000);
  inbound in{"feedback.unique", "citywide", value, {{"civic-case-id", "case-3k"}}, 0, 7};
  civic::router::route_limits limits;
  limits.max_input_bytes = value.size();
  // The input fits, the routed record (input + classification) does not.
  limits.max_output_bytes = value.size() + 200;
  std::vector<civic::kafka::record> out;
  civic::router::route_counters counters;
  route(in, shipped(), {}, out, counters, limits);
  REQUIRE(out.size() == 1);  // not routed to one division and dead-lettered for the other
  REQUIRE(out[0].topic == "feedback.deadletter");
  CHECK(out[0].value == value);  // the input itself fits, so it is kept whole
  CHECK(record_bytes(out[0]) <= limits.max_output_bytes);
  const auto reason = *header(out[0], "civic-deadletter-reason");
  CHECK(reason.starts_with("too large: the routed record for division."));
  CHECK(reason.ends_with(" bytes, over router.max_output_bytes (" +
                         std::to_string(limits.max_output_bytes) + ")"));
  CHECK(counters.too_large == 1);

  // The same message with room to spare is routed as usual.
  out.clear();
  limits.max_output_bytes = 20000;
  route(in, shipped(), {}, out, counters, limits);
  REQUIRE(out.size() == 2);
  for (const auto& r : out) {
    CHECK(r.topic.starts_with("division."));
    CHECK(record_bytes(r) <= limits.max_output_bytes);
    CHECK(schema_violation(r.value) == "");
  }
}
