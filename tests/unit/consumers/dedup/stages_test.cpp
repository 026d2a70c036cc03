// The service's two steps without Kafka: routing feedback.ingested to the
// locality-keyed repartition topic, and deduplicating into feedback.unique,
// feedback.cases and the changelog, with the router's contract (value bytes
// unchanged, civic-case-id header, ce_* and traceparent copied).

#include "consumers/dedup/service/stages.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "common/envelope/cloudevents.hpp"
#include "common/envelope/envelope_json.hpp"
#include "common/time/rfc3339.hpp"
#include "consumers/dedup/case_json.hpp"
#include "consumers/dedup/classifier_placement.hpp"
#include "consumers/dedup/report_builder.hpp"
#include "support/dedup_partition.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::dedup;

namespace {

envelope::message make_envelope(std::string id, std::string key, std::string text,
                                std::optional<envelope::location> place) {
  envelope::message e;
  e.id = std::move(id);
  e.received_at = "2025-03-10T00:02:14.000Z";
  e.channel = "open311";
  e.channel_message_id = key;
  e.idempotency_key = "open311:" + key;
  e.kind = envelope::feedback_kind::complaint;
  e.text = std::move(text);
  e.language = "ko";
  e.place = std::move(place);
  return e;
}

placement_function fixed(std::vector<std::string> divisions, std::optional<std::string> district) {
  return [divisions, district](const placement_input&) {
    return placement{divisions, divisions, district};
  };
}

std::optional<std::string> header(const kafka::record& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return std::nullopt;
}

inbound_record as_inbound(const kafka::record& r, std::string_view topic, int32_t partition) {
  return {topic, partition, r.key, r.value, r.headers};
}

// A report through both steps as the service runs them: routed from feedback.ingested
// partition `input_partition`, then deduplicated on repartition partition 4.
std::vector<kafka::record> both_steps(const envelope::message& e, const placement_function& place,
                                      const topics& names, deduplicator& engine,
                                      lifecycle_context& life, step_counters& counters,
                                      const std::vector<kafka::header>& headers = {},
                                      int32_t input_partition = 0) {
  auto routed = route_ingested(
      {names.input, input_partition, e.idempotency_key, envelope::to_json(e), headers}, place,
      names, counters);
  std::vector<kafka::record> out;
  deduplicate_repartitioned(as_inbound(routed, names.repartition, 4), engine, life, place, names,
                            out, counters);
  return out;
}

const envelope::location mapo{37.5576, 126.9242, std::string("양화로"), std::nullopt};

// One partition's state, as the service keeps it.
struct partition_state : test::dedup_partition {
  std::vector<kafka::record> both_steps(const envelope::message& e, const placement_function& place,
                                        const std::vector<kafka::header>& headers = {},
                                        int32_t input_partition = 0) {
    return ::both_steps(e, place, names, engine, life, counters, headers, input_partition);
  }
};

}  // namespace

TEST_CASE("routing re-keys a report by its locality and keeps its bytes and headers") {
  topics names;
  step_counters counters;
  auto e = make_envelope("0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11", "311-1",
                         "홍대입구역 9번 출구 포트홀", mapo);
  std::string value = envelope::to_json(e);
  auto headers = envelope::cloudevents_headers(
      e, std::string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
  inbound_record in{names.input, 3, e.idempotency_key, value, headers};

  kafka::record routed =
      route_ingested(in, fixed({"roads", "transport"}, "Mapo-gu"), names, counters);
  CHECK(routed.topic == "dedup.repartition");
  CHECK(routed.key == "Mapo-gu");
  CHECK(routed.value == value);
  CHECK(header(routed, "ce_id") == e.id);
  CHECK(header(routed, "traceparent").has_value());
  CHECK(header(routed, divisions_header) == "roads,transport");
  CHECK(header(routed, district_header) == "Mapo-gu");
  CHECK(counters.routed == 1);

  SUBCASE("without a district the report is citywide") {
    CHECK(route_ingested(in, fixed({"roads"}, std::nullopt), names, counters).key == "citywide");
  }
  SUBCASE("the envelope's own district, in the rules' spelling, is the locality") {
    // The shipped rules know each gu by its Korean and romanized names: a report
    // stating "종로구" and one stating "Jongno-gu" are one locality (one partition,
    // one candidate set), and a stated gu beats what the text and coordinates
    // (here Mapo-gu's) say.
    auto place =
        load_classifier_placement(test::source_dir() / "deploy/config/rules/seoul.yaml", 0.3);
    REQUIRE_MESSAGE(place.has_value(), place.error());
    for (const char* stated : {"종로구", "Jongno-gu", "jongno-gu"}) {
      auto with_district = e;
      with_district.place->district = stated;
      std::string v = envelope::to_json(with_district);
      inbound_record other{names.input, 3, e.idempotency_key, v, headers};
      kafka::record out = route_ingested(other, *place, names, counters);
      CHECK_MESSAGE(out.key == "Jongno-gu", stated);
      CHECK(header(out, district_header) == "Jongno-gu");
    }
  }
}

TEST_CASE("an unreadable record goes to the deadletter topic with the reason") {
  topics names;
  step_counters counters;
  inbound_record in{names.input, 0, "k", R"({"version":1})", {{"ce_id", "x"}}};
  kafka::record out = route_ingested(in, fixed({"roads"}, std::nullopt), names, counters);
  CHECK(out.topic == "feedback.deadletter");
  CHECK(out.key == "k");
  CHECK(out.value == R"({"version":1})");
  REQUIRE(header(out, deadletter_reason_header).has_value());
  CHECK(header(out, deadletter_reason_header)->find("envelope") == 0);
  CHECK(header(out, "ce_id") == "x");
  CHECK(counters.deadlettered == 1);
}

TEST_CASE_FIXTURE(
    partition_state,
    "deduplicating: reports go to feedback.unique with their case id, retries only update the "
    "case") {
  auto place = fixed({"roads"}, "Mapo-gu");
  auto first = make_envelope("0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11", "311-1",
                             "홍대입구역 9번 출구 포트홀", mapo);
  auto headers = envelope::cloudevents_headers(first, std::nullopt);
  auto out = both_steps(first, place, headers);
  REQUIRE(out.size() == 3);
  CHECK(out[0].topic == "feedback.unique");
  CHECK(out[0].key == "Mapo-gu");
  CHECK(out[0].value == envelope::to_json(first));
  CHECK(header(out[0], case_id_header) == "case-" + first.id);
  CHECK(header(out[0], "ce_id") == first.id);
  CHECK_FALSE(header(out[0], divisions_header).has_value());
  CHECK(out[1].topic == "feedback.cases");
  CHECK(out[1].key == "case-" + first.id);
  CHECK(out[2].topic == "dedup.changelog");
  CHECK(out[2].partition == 4);
  CHECK(state_from_json(out[2].value).has_value());

  // The same message again (a retry: same idempotency key, new envelope id).
  auto retry = first;
  retry.id = "0195c2a4-8000-7c3e-9b21-4f0d2e6a8b12";
  out = both_steps(retry, place, headers);
  REQUIRE(out.size() == 2);
  CHECK(out[0].topic == "feedback.cases");
  CHECK(out[0].value.find(R"("duplicates_dropped":1)") != std::string::npos);
  CHECK(out[0].value.find(R"("report_count":1)") != std::string::npos);
  CHECK(counters.exact_duplicates == 1);

  // Another citizen, same spot: forwarded, same case.
  auto other = make_envelope("0195c2b0-1d22-7a01-8c33-5e1f3a7b9c22", "311-2",
                             "Huge pothole at Hongdae exit 9", mapo);
  out = both_steps(other, place, headers, 1);
  REQUIRE(out.size() == 3);
  CHECK(out[0].topic == "feedback.unique");
  CHECK(header(out[0], case_id_header) == "case-" + first.id);
  CHECK(out[1].value.find(R"("report_count":2)") != std::string::npos);
  CHECK(counters.near_duplicates == 1);
  CHECK(counters.new_cases == 1);
}

TEST_CASE_FIXTURE(partition_state,
                  "a burst about one case leaves one case record and one state record a batch, "
                  "the last; every report still reaches feedback.unique") {
  auto place = fixed({"water"}, "Mapo-gu");
  std::vector<kafka::record> out;
  const char* ids[] = {"0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11",
                       "0195c2a4-7a11-7c3e-9b21-4f0d2e6a8b12",
                       "0195c2a4-7a12-7c3e-9b21-4f0d2e6a8b13"};
  int n = 0;
  for (const char* id : ids) {
    auto e = make_envelope(id, "311-" + std::to_string(++n),
                           "홍대입구역 지하차도 침수 물이 차올라요", mapo);
    auto routed = route_ingested({names.input, 0, e.idempotency_key, envelope::to_json(e),
                                  envelope::cloudevents_headers(e, std::nullopt)},
                                 place, names, counters);
    deduplicate_repartitioned(as_inbound(routed, names.repartition, 2), engine, life, place, names,
                              out, counters);
  }
  // Another record of the same key elsewhere is not the dedup state's: it stays.
  out.push_back({names.responses, "case-x", "{}", {}, -1});
  out.push_back({names.responses, "case-x", "{}", {}, -1});
  keep_last_case_records(out, names);
  auto on = [&](const std::string& topic) {
    std::vector<const kafka::record*> found;
    for (const auto& r : out)
      if (r.topic == topic) found.push_back(&r);
    return found;
  };
  CHECK(on(names.unique).size() == 3);
  REQUIRE(on(names.cases).size() == 1);
  CHECK(on(names.cases)[0]->value.find(R"("report_count":3)") != std::string::npos);
  REQUIRE(on(names.changelog).size() == 1);
  auto state = state_from_json(on(names.changelog)[0]->value);
  REQUIRE(state.has_value());
  CHECK(state->report_count == 3);
  CHECK(on(names.responses).size() == 2);
  CHECK(out.back().topic == names.responses);  // the order of what stays is kept
}

TEST_CASE("a closed case keeps its lifecycle on the changelog until its retention, then leaves") {
  topics names;
  step_counters counters;
  dedup_settings settings;
  settings.max_open_cases = 1;  // the second case closes the first
  deduplicator engine(settings);
  closed_cases closed(24LL * 3600 * 1000, 1000);  // one day
  lifecycle_settings lifecycle;
  lifecycle_context life{closed, lifecycle};
  auto place = fixed({"roads"}, "Mapo-gu");
  auto first = make_envelope("0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11", "311-1",
                             "홍대입구역 9번 출구 포트홀", mapo);
  auto second =
      make_envelope("0195c2b0-1d22-7a01-8c33-5e1f3a7b9c22", "311-2", "망원시장 앞 가로등 고장",
                    envelope::location{37.5560, 126.9060, std::nullopt, std::nullopt});
  auto later =
      make_envelope("0195c2b0-1d22-7a01-8c33-5e1f3a7b9c33", "311-3", "합정역 앞 보도블록 파손",
                    envelope::location{37.5495, 126.9139, std::nullopt, std::nullopt});
  later.received_at = "2025-03-12T00:00:00.000Z";  // two days on: the first case retires
  std::vector<std::vector<kafka::record>> outs;
  for (const auto& e : {first, second, later}) {
    outs.push_back(both_steps(e, place, names, engine, life, counters));
  }
  REQUIRE(counters.cases_closed == 2);
  std::vector<kafka::record> changelog;
  for (const auto& rec : outs[1]) {
    if (rec.topic == names.changelog) changelog.push_back(rec);
  }
  REQUIRE(changelog.size() == 2);
  CHECK(changelog[1].key == "case-" + first.id);
  REQUIRE_FALSE(changelog[1].tombstone);
  auto state = state_from_json(changelog[1].value);
  REQUIRE(state.has_value());
  CHECK(state->closed);
  CHECK(state->signatures.empty());
  CHECK(state->lifecycle.get().service_requests.size() == 1);

  bool retired = false;
  for (const auto& rec : outs[2]) {
    if (rec.topic == names.changelog && rec.key == "case-" + first.id) retired = rec.tombstone;
  }
  CHECK(retired);
  CHECK(counters.cases_retired == 2);
}

TEST_CASE_FIXTURE(partition_state,
                  "a report from a host with a clock years ahead does not close every open case") {
  auto place = fixed({"roads"}, "Mapo-gu");
  auto today = make_envelope("0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11", "311-1",
                             "홍대입구역 9번 출구 포트홀", mapo);
  today.received_at = format_rfc3339_utc(std::chrono::system_clock::now());
  auto future =
      make_envelope("0195c2b0-1d22-7a01-8c33-5e1f3a7b9c22", "311-2", "망원시장 앞 가로등 고장",
                    envelope::location{37.5560, 126.9060, std::nullopt, std::nullopt});
  future.received_at = "2031-01-01T00:00:00.000Z";
  for (const auto& e : {today, future}) both_steps(e, place);
  CHECK(counters.cases_closed == 0);
  CHECK(engine.open_cases() == 2);
  CHECK(engine.clock_ms() <= wall_clock_ms() + max_clock_lead_ms);
}
