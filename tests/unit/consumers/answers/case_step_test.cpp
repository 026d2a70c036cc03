// The answers service's case steps without Kafka: reports become recipients of
// their case, an update becomes one pending ledger entry per recipient (a
// threshold event: the proposer's), a repeat becomes nothing, and a partition's
// recipients come back from the changelog.

#include "consumers/answers/case_step.hpp"

#include <doctest/doctest.h>

#include <map>

#include "common/envelope/envelope_json.hpp"
#include "common/responses/response.hpp"
#include "consumers/answers/ledger.hpp"

using namespace civic;
using namespace civic::answers;

namespace {

constexpr int64_t now_ms = 1'795'392'000'000;  // 2026-11-23

std::string report(int n, std::string channel, std::optional<std::string> author,
                   std::string language = "ko") {
  envelope::message e;
  e.id = "0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b" + std::to_string(10 + n);
  e.received_at = "2026-11-22T01:0" + std::to_string(n) + ":00.000Z";
  e.channel = channel;
  e.channel_message_id = "m-" + std::to_string(n);
  e.idempotency_key = channel + ":m-" + std::to_string(n);
  e.text = "세종대로 포트홀";
  e.language = language;
  e.author_id = std::move(author);
  e.reply_to = envelope::reply_reference{channel, "rt1.k1.sealed-" + std::to_string(n)};
  return envelope::to_json(e);
}

responses::response update(std::string id, bool notify = true) {
  responses::response r;
  r.type = responses::response_type::update;
  r.id = std::move(id);
  r.case_id = "case-7";
  r.locality = "Jongno-gu";
  r.at = "2026-11-22T05:00:00.000Z";
  r.division = "roads";
  r.actor = "clerk-1";
  r.status = responses::case_status::fixed;
  r.answer = responses::answer_text{"보수했습니다.", "ko"};
  r.notify = notify;
  return r;
}

struct partition {
  topics names;
  case_counters counters;
  case_book book{case_settings{}};
  std::vector<kafka::record> changelog;  // everything written there, in order

  std::vector<kafka::record> feed_report(const std::string& value) {
    inbound_record in{names.unique, 0, "Jongno-gu", value, {{"civic-case-id", "case-7"}}};
    auto routed = route_report(in, names, counters);
    if (!routed) return {};
    return fold(*routed);
  }
  std::vector<kafka::record> feed_response(const responses::response& r) {
    std::string json = responses::to_json(r);
    inbound_record in{names.responses, 0, r.case_id, json, {}};
    auto routed = route_response(in, names, counters);
    if (!routed) return {};
    return fold(*routed);
  }
  std::vector<kafka::record> fold(const kafka::record& routed) {
    REQUIRE(routed.topic == names.work);
    CHECK(routed.key == "case-7");
    std::vector<kafka::record> out;
    book.fold({names.work, 1, routed.key, routed.value, routed.headers}, names, out, counters,
              now_ms);
    for (const auto& r : out) {
      if (r.topic == names.changelog) changelog.push_back(r);
    }
    return out;
  }
};

std::vector<ledger_entry> jobs(const std::vector<kafka::record>& out, const topics& names) {
  std::vector<ledger_entry> entries;
  for (const auto& r : out) {
    if (r.topic != names.ledger) continue;
    CHECK(r.partition == 1);
    auto e = ledger_entry_from_json(r.value);
    REQUIRE(e.has_value());
    CHECK(r.key == ledger_key(e->update_id, e->recipient));
    entries.push_back(*e);
  }
  return entries;
}

}  // namespace

TEST_CASE("an update becomes one pending job per citizen, each with their token and language") {
  partition p;
  p.feed_report(report(1, "line", std::string(32, 'a')));
  p.feed_report(report(2, "telegram", std::string(32, 'b'), "en"));
  p.feed_report(report(3, "line", std::string(32, 'a')));  // the same citizen again
  p.feed_report(report(4, "web", std::nullopt));           // anonymous: the report is the recipient
  CHECK(p.counters.recipients_added == 3);
  auto out = p.feed_response(update("upd-1"));
  auto entries = jobs(out, p.names);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].recipient == std::string(32, 'a'));
  CHECK(entries[0].token == "rt1.k1.sealed-3");  // the latest report's token
  CHECK(entries[0].state == job_state::pending);
  CHECK(entries[0].recipients == 3);
  CHECK(entries[0].message.text.find("처리 완료") != std::string::npos);
  CHECK(entries[1].message.language == "en");
  CHECK(entries[1].message.text.find("Fixed") != std::string::npos);
  CHECK(entries[2].recipient == "report:0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b14");
  CHECK(p.counters.jobs_created == 3);

  // The same update again (the gateway retried): no second job.
  CHECK(jobs(p.feed_response(update("upd-1")), p.names).empty());
  CHECK(p.counters.updates_repeated == 1);
  // A silent update reaches nobody; a support record is not the service's.
  CHECK(p.feed_response(update("upd-2", false)).empty());
  responses::response support;
  support.type = responses::response_type::support;
  support.id = "sup-1";
  support.case_id = "case-7";
  support.locality = "Jongno-gu";
  support.at = "2026-11-22T05:00:00.000Z";
  support.supporter = std::string(32, 'f');
  support.channel = "web";
  CHECK(p.feed_response(support).empty());
}

TEST_CASE("a threshold event goes to the proposer only: who wrote first, not who came first") {
  partition p;
  p.feed_report(report(2, "line", std::string(32, 'b')));
  p.feed_report(report(1, "kakao", std::string(32, 'a')));  // written a minute earlier
  responses::response t;
  t.type = responses::response_type::threshold;
  t.id = "thr-case-7-50";
  t.case_id = "case-7";
  t.locality = "Jongno-gu";
  t.at = "2026-11-22T05:00:00.000Z";
  t.threshold = 50;
  t.milestone = "department_answers";
  t.support_count = 50;
  auto entries = jobs(p.feed_response(t), p.names);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].recipient == std::string(32, 'a'));
  CHECK(entries[0].kind == "threshold");
  CHECK(entries[0].message.text.find("50명") != std::string::npos);
}

TEST_CASE("an update for a case without recipients, or a report without a token, makes nothing") {
  partition p;
  CHECK(p.feed_response(update("upd-1")).empty());
  CHECK(p.counters.updates_without_recipients == 1);
  envelope::message e = *envelope::parse_json(report(1, "line", std::string(32, 'a')));
  e.reply_to.reset();
  CHECK(p.feed_report(envelope::to_json(e)).empty());
  CHECK(p.counters.reports_without_reply == 1);
  inbound_record bad{p.names.unique, 0, "k", "not json", {}};
  auto dead = route_report(bad, p.names, p.counters);
  REQUIRE(dead.has_value());
  CHECK(dead->topic == p.names.deadletter);
}

TEST_CASE("a partition's recipients and expanded updates come back from the changelog") {
  partition p;
  p.feed_report(report(1, "line", std::string(32, 'a')));
  p.feed_report(report(2, "telegram", std::string(32, 'b')));
  p.feed_response(update("upd-1"));
  case_book restored{case_settings{}};
  std::map<std::string, std::string> latest;
  for (const auto& r : p.changelog) latest[r.key] = r.value;
  for (const auto& [k, v] : latest) restored.restore(k, v);
  const case_recipients* c = restored.find("case-7");
  REQUIRE(c != nullptr);
  REQUIRE(c->recipients.size() == 2);
  CHECK(c->recipients[0].key == std::string(32, 'a'));  // the first to report first
  CHECK(c->recent_updates == std::vector<std::string>{"upd-1"});
}

TEST_CASE("cases without activity for the retention leave with tombstones") {
  topics names;
  case_counters counters;
  case_settings settings;
  settings.retention_ms = 1000;
  case_book book(settings);
  std::string value = report(1, "line", std::string(32, 'a'));
  inbound_record in{names.unique, 0, "Jongno-gu", value, {{"civic-case-id", "case-7"}}};
  auto routed = route_report(in, names, counters);
  std::vector<kafka::record> out;
  book.fold({names.work, 0, routed->key, routed->value, routed->headers}, names, out, counters,
            now_ms);
  CHECK(book.cases() == 0);  // its report is a day older than now
  bool tombstoned = false;
  for (const auto& r : out) tombstoned |= r.topic == names.changelog && r.tombstone;
  CHECK(tombstoned);
  CHECK(counters.cases_retired == 1);
}
