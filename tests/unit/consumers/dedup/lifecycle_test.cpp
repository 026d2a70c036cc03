// The answer loop inside dedup, without Kafka: responses and delivery
// summaries re-keyed to their case's partition and folded into the case
// (status, history, answer, reassignment, support once per author, threshold
// events once), for open cases and for cases closed to new reports alike.

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "common/envelope/envelope_json.hpp"
#include "common/responses/delivery.hpp"
#include "common/responses/response.hpp"
#include "consumers/dedup/case_json.hpp"
#include "consumers/dedup/service/stages.hpp"
#include "support/dedup_partition.hpp"

using namespace civic;
using namespace civic::dedup;
using responses::case_status;
using responses::response;
using responses::response_type;

namespace {

struct partition : test::dedup_partition {
  placement_function place = [](const placement_input&) {
    return placement{{"roads"}, {"roads"}, std::string("Jongno-gu")};
  };

  partition() { lifecycle.thresholds = {{3, "department_answers"}, {5, "public_forum"}}; }

  // Step 1 then step 2, as the service runs them; returns step 2's records.
  std::vector<kafka::record> feed(std::string_view topic, const std::string& key,
                                  const std::string& value) {
    inbound_record in{topic, 0, key, value, {}};
    kafka::record routed;
    if (topic == names.input) {
      routed = route_ingested(in, place, names, counters);
    } else if (topic == names.responses) {
      routed = route_response(in, names, counters);
    } else {
      auto r = route_delivery(in, names, counters);
      if (!r) return {};
      routed = *r;
    }
    if (routed.topic != names.repartition) return {routed};
    std::vector<kafka::record> out;
    deduplicate_repartitioned({names.repartition, 2, routed.key, routed.value, routed.headers},
                              engine, life, place, names, out, counters);
    return out;
  }

  std::string report(int n, std::string channel = "line",
                     std::optional<envelope::feedback_kind> kind = std::nullopt) {
    envelope::message e;
    e.kind = kind;
    e.id = "0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b" + std::to_string(10 + n);
    e.received_at = "2026-11-22T01:0" + std::to_string(n) + ":00.000Z";
    e.channel = std::move(channel);
    e.channel_message_id = "m-" + std::to_string(n);
    e.idempotency_key = e.channel + ":m-" + std::to_string(n);
    e.text = "세종대로 광화문역 앞 도로에 포트홀이 생겼어요";
    e.language = "ko";
    e.place = envelope::location{37.5716, 126.9768, std::nullopt, std::string("Jongno-gu")};
    e.author_id = std::string(31, 'a') + std::to_string(n % 10);
    auto out = feed(names.input, e.idempotency_key, envelope::to_json(e));
    return "case-0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11";
  }
};

response update(const std::string& case_id, std::string id) {
  response r;
  r.type = response_type::update;
  r.id = std::move(id);
  r.case_id = case_id;
  r.locality = "Jongno-gu";
  r.at = "2026-11-22T05:00:00.000Z";
  r.division = "roads";
  r.actor = "clerk-7";
  r.status = case_status::in_progress;
  r.answer = responses::answer_text{"보수 작업을 시작했습니다.", "ko"};
  return r;
}

response support(const std::string& case_id, char who) {
  response r;
  r.type = response_type::support;
  r.id = std::string("sup-") + who;
  r.case_id = case_id;
  r.locality = "Jongno-gu";
  r.at = "2026-11-22T06:00:00.000Z";
  r.supporter = std::string(32, who);
  r.channel = "web";
  return r;
}

const kafka::record* find(const std::vector<kafka::record>& out, const std::string& topic) {
  for (const auto& r : out) {
    if (r.topic == topic) return &r;
  }
  return nullptr;
}

rapidjson::Document case_record(const std::vector<kafka::record>& out, const topics& names) {
  rapidjson::Document doc;
  const kafka::record* rec = find(out, names.cases);
  REQUIRE(rec != nullptr);
  doc.Parse(rec->value.c_str());
  REQUIRE(doc.IsObject());
  return doc;
}

}  // namespace

TEST_CASE("an update sets the case's status, history and latest answer, once") {
  partition p;
  std::string id = p.report(1);
  p.report(2);
  auto out = p.feed(p.names.responses, id, responses::to_json(update(id, "upd-1")));
  auto doc = case_record(out, p.names);
  CHECK(std::string(doc["status"].GetString()) == "open");  // still takes reports
  const auto& life = doc["lifecycle"];
  CHECK(std::string(life["status"].GetString()) == "in_progress");
  CHECK(std::string(life["open311_status"].GetString()) == "open");
  CHECK(std::string(life["answer"]["text"].GetString()) == "보수 작업을 시작했습니다.");
  CHECK(life["history"].Size() == 1);
  CHECK(doc["report_count"].GetUint64() == 2);
  REQUIRE(find(out, p.names.changelog) != nullptr);

  // The gateway resent the same update (same id): nothing changes, nothing is written.
  CHECK(p.feed(p.names.responses, id, responses::to_json(update(id, "upd-1"))).empty());
  CHECK(p.counters.responses_repeated == 1);

  auto fixed = update(id, "upd-2");
  fixed.status = case_status::fixed;
  fixed.answer.reset();
  auto after = case_record(p.feed(p.names.responses, id, responses::to_json(fixed)), p.names);
  CHECK(std::string(after["lifecycle"]["status"].GetString()) == "fixed");
  CHECK(std::string(after["lifecycle"]["open311_status"].GetString()) == "closed");
  CHECK(std::string(after["lifecycle"]["answer"]["update_id"].GetString()) == "upd-1");
  CHECK(after["lifecycle"]["history"].Size() == 2);
}

TEST_CASE("the answer clock runs from the first report and stops at the first answer") {
  partition p;
  std::string id = p.report(1);  // Sunday 22 Nov 2026, 10:01 in Seoul: counting starts Monday
  auto assigned = update(id, "upd-0");  // a status change that answers nothing
  assigned.status = case_status::assigned;
  assigned.answer.reset();
  auto opened = case_record(p.feed(p.names.responses, id, responses::to_json(assigned)), p.names);
  const auto& clock = opened["service_level"];
  REQUIRE(clock.IsObject());
  CHECK(std::string(clock["class"].GetString()) == "grievance");
  CHECK(clock["limit"]["amount"].GetInt() == 7);
  CHECK(std::string(clock["due_at"].GetString()) == "2026-12-01T09:00:00.000Z");  // Tue 18:00
  CHECK(clock["answered_at"].IsNull());
  CHECK(clock["on_time"].IsNull());
  CHECK(opened["lifecycle"]["answered_at"].IsNull());

  auto late = update(id, "upd-1");
  late.at = "2026-12-01T09:00:00.001Z";  // a millisecond after the limit
  auto answered = case_record(p.feed(p.names.responses, id, responses::to_json(late)), p.names);
  CHECK(std::string(answered["service_level"]["answered_at"].GetString()) == late.at);
  CHECK(std::string(answered["lifecycle"]["answered_at"].GetString()) == late.at);
  CHECK_FALSE(answered["service_level"]["on_time"].GetBool());

  auto again = update(id, "upd-2");  // a later answer does not move the first
  again.at = "2026-12-02T00:00:00.000Z";
  auto later = case_record(p.feed(p.names.responses, id, responses::to_json(again)), p.names);
  CHECK(std::string(later["service_level"]["answered_at"].GetString()) == late.at);

  const case_state* c = p.engine.find(id);
  REQUIRE(c != nullptr);
  auto back = state_from_json(state_to_json(*c));
  REQUIRE_MESSAGE(back.has_value(), back.error());
  CHECK(back->clock == c->clock);
  CHECK(back->lifecycle.get().answered_at == late.at);
}

TEST_CASE("a reassignment moves the case to the new division") {
  partition p;
  std::string id = p.report(1);
  auto moved = update(id, "upd-1");
  moved.status.reset();
  moved.answer.reset();
  moved.assign_to = {"water", "roads"};
  auto doc = case_record(p.feed(p.names.responses, id, responses::to_json(moved)), p.names);
  CHECK(std::string(doc["divisions"][0].GetString()) == "water");
  CHECK(std::string(doc["lifecycle"]["status"].GetString()) == "assigned");
}

TEST_CASE("support counts each author once and emits each threshold event once") {
  partition p;
  std::string id = p.report(1, "line", envelope::feedback_kind::idea);
  std::vector<kafka::record> events;
  for (char who : {'a', 'b', 'a', 'c', 'c', 'd', 'e', 'f', 'b'}) {
    for (auto& rec : p.feed(p.names.responses, id, responses::to_json(support(id, who)))) {
      if (rec.topic == p.names.responses) events.push_back(rec);
    }
  }
  CHECK(p.counters.responses_folded == 6);
  CHECK(p.counters.responses_repeated == 3);
  REQUIRE(events.size() == 2);
  auto first = responses::parse_json(events[0].value);
  REQUIRE(first.has_value());
  CHECK(first->type == response_type::threshold);
  CHECK(first->threshold == 3);
  CHECK(first->milestone == "department_answers");
  CHECK(events[0].key == id);
  // The event comes back through feedback.responses: it changes nothing.
  CHECK(p.feed(p.names.responses, id, events[0].value).empty());

  const case_state* c = p.engine.find(id);
  REQUIRE(c != nullptr);
  CHECK(c->lifecycle.get().support_count == 6);
  CHECK(c->lifecycle.get().thresholds.size() == 2);
}

TEST_CASE("support for a case that is not an idea is dead-lettered, not counted") {
  partition p;
  std::string id = p.report(1);  // a pothole: a complaint
  auto out = p.feed(p.names.responses, id, responses::to_json(support(id, 'a')));
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == p.names.deadletter);
  CHECK(p.counters.responses_folded == 0);
  const case_state* c = p.engine.find(id);
  REQUIRE(c != nullptr);
  CHECK(c->kind == "complaint");
  CHECK(c->lifecycle.get().support_count == 0);
}

TEST_CASE("a case closed to new reports still takes its answer") {
  partition p;
  std::string id = p.report(1);
  auto closed = p.engine.close_expired(INT64_MAX / 2);
  REQUIRE(closed.size() == 1);
  p.closed.put(std::move(closed[0]));
  auto doc =
      case_record(p.feed(p.names.responses, id, responses::to_json(update(id, "upd-1"))), p.names);
  CHECK(std::string(doc["status"].GetString()) == "closed");
  CHECK(std::string(doc["lifecycle"]["status"].GetString()) == "in_progress");
}

TEST_CASE("a response for a case this partition does not hold is dead-lettered with why") {
  partition p;
  auto out = p.feed(p.names.responses, "case-x", responses::to_json(update("case-x", "upd-1")));
  REQUIRE(out.size() == 1);
  CHECK(out[0].topic == p.names.deadletter);
  CHECK(p.counters.responses_unmatched == 1);
  auto bad = p.feed(p.names.responses, "case-x", "{\"version\":1}");
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].topic == p.names.deadletter);
}

TEST_CASE("the latest update's delivery summary is folded into the case") {
  partition p;
  std::string id = p.report(1);
  p.feed(p.names.responses, id, responses::to_json(update(id, "upd-1")));
  responses::delivery_summary s{
      "upd-1",
      id,
      "Jongno-gu",
      "2026-11-22T05:00:03.000Z",
      3,
      true,
      {{"delivered", 2}, {"window_expired", 1}},
      {{"whatsapp", {{"window_expired", 1}}}, {"line", {{"delivered", 2}}}}};
  auto doc = case_record(p.feed(p.names.deliveries, id, responses::to_json(s)), p.names);
  CHECK(doc["deliveries"]["recipients"].GetUint64() == 3);
  CHECK(doc["deliveries"]["outcomes"]["window_expired"].GetUint64() == 1);
  // Single outcomes are not dedup's.
  responses::delivery_outcome_record o{"upd-1",
                                       id,
                                       "Jongno-gu",
                                       "2026-11-22T05:00:01.000Z",
                                       std::string(32, 'a'),
                                       "line",
                                       responses::delivery_outcome::delivered,
                                       "push",
                                       "",
                                       1};
  CHECK(p.feed(p.names.deliveries, id, responses::to_json(o)).empty());
  // A summary of an update the case never had changes nothing.
  s.update_id = "thr-" + id + "-50";
  CHECK(p.feed(p.names.deliveries, id, responses::to_json(s)).empty());
}

TEST_CASE("the lifecycle survives the changelog round trip, and Open311 requests are noted") {
  partition p;
  p.report(1, "open311");
  std::string id = "case-0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11";
  p.feed(p.names.responses, id, responses::to_json(update(id, "upd-1")));
  p.feed(p.names.responses, id, responses::to_json(support(id, 'z')));
  const case_state* c = p.engine.find(id);
  REQUIRE(c != nullptr);
  REQUIRE(c->lifecycle.get().service_requests.size() == 1);
  CHECK(c->lifecycle.get().service_requests[0].id == "m-1");
  auto back = state_from_json(state_to_json(*c));
  REQUIRE_MESSAGE(back.has_value(), back.error());
  CHECK(back->lifecycle == c->lifecycle);
  CHECK(*back == *c);
}

TEST_CASE("thresholds are read from count:milestone pairs") {
  auto t = parse_thresholds("50:department_answers,100:public_forum,1000:mayor_answers");
  REQUIRE(t.has_value());
  CHECK(t->size() == 3);
  CHECK((*t)[2].count == 1000);
  CHECK_FALSE(parse_thresholds("100:a,50:b").has_value());
  CHECK_FALSE(parse_thresholds("fifty:a").has_value());
  CHECK_FALSE(parse_thresholds("50:").has_value());
}
