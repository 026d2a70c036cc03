// The case lifecycle API's rules without HTTP: what an update may say, who may
// make it, the record it becomes (the same id for a repeat), support once per
// pseudonym, and Open311's view of the case.

#include "gateway/answers/case_api.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "common/error/errc.hpp"
#include "common/time/rfc3339.hpp"
#include "gateway/answers/open311_status.hpp"
#include "gateway/answers/support_reply.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::gateway::answers;
using responses::case_status;

namespace {

case_summary pothole() {
  case_summary c;
  c.id = "case-0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f";
  c.divisions = {"roads", "water"};
  c.locality = "Jongno-gu";
  c.first_seen = "2026-11-22T01:00:00.000Z";
  c.requests = {{"pothole-3a1f9c-8b2e4d6f0a1c", "2026-11-22T01:00:00.000Z"}};
  return c;
}

case_summary idea() {
  case_summary c = pothole();
  c.id = "case-0193f2a4-6b1c-7d3e-9f00-2b3c4d5e6f70";
  c.divisions = {"transport"};
  c.kind = "idea";
  c.requests.clear();
  return c;
}

auth::claims clerk(std::vector<std::string> divisions) {
  auth::claims c;
  c.sub = "clerk-0042";
  c.role = "staff";
  c.divisions = std::move(divisions);
  return c;
}

const auto now = *parse_rfc3339("2026-11-23T00:00:00Z");

field_error refused_update(std::string_view body) {
  auto r = parse_update_request(body);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("an update says a status, an answer or a reassignment, each checked at its field") {
  auto ok = parse_update_request(
      R"({"status":"fixed","answer":{"text":"보수했습니다","language":"ko"},"notify":false})");
  REQUIRE(ok.has_value());
  CHECK(ok->status == case_status::fixed);
  CHECK(ok->answer->text == "보수했습니다");
  CHECK_FALSE(ok->notify);
  CHECK(parse_update_request(R"({"answer":{"text":"Thank you"}})")->answer->language == "ko");
  CHECK_FALSE(parse_update_request(R"({"answer":{"text":"Thank you"}})")->answer->published);
  CHECK(parse_update_request(R"({"answer":{"text":"Fixed","public":true}})")->answer->published);
  CHECK(refused_update(R"({"answer":{"text":"Fixed","public":"yes"}})").pointer ==
        "/answer/public");

  CHECK(refused_update(R"({"status":"mended"})").pointer == "/status");
  CHECK(refused_update(R"({"status":"received"})").pointer == "/status");
  CHECK(refused_update(R"({"answer":"plain text"})").pointer == "/answer");
  CHECK(refused_update(R"({"answer":{"text":""}})").pointer == "/answer/text");
  CHECK(refused_update(R"({"answer":{"text":"x","phone":"010"}})").pointer == "/answer/phone");
  CHECK(refused_update(R"({"assign_to":["Roads!"]})").pointer == "/assign_to/0");
  CHECK(refused_update(R"({"assign_to":["water","water"]})").pointer == "/assign_to/1");
  CHECK(refused_update(R"({"expected_at":"tomorrow"})").pointer == "/expected_at");
  // A promise to the citizen: not in 1900, not in 2200.
  CHECK(refused_update(R"({"status":"action_scheduled","expected_at":"1900-01-01T00:00:00Z"})")
            .code == make_error_code(errc::out_of_range));
  CHECK(refused_update(R"({"status":"action_scheduled","expected_at":"2200-01-01T00:00:00Z"})")
            .pointer == "/expected_at");
  const auto next_week =
      format_rfc3339_utc(std::chrono::system_clock::now() + std::chrono::hours(24 * 7));
  CHECK(
      parse_update_request(R"({"status":"action_scheduled","expected_at":")" + next_week + R"("})")
          .has_value());
  CHECK(refused_update(R"({"notify":true})").code == make_error_code(errc::missing_field));
  CHECK(refused_update(R"({"status":"fixed","priority":1})").code ==
        make_error_code(errc::unknown_field));
  CHECK(refused_update("not json").code == make_error_code(errc::malformed_json));
  CHECK(refused_update(R"({"expected_at":1e400})").pointer == "/expected_at");
  CHECK(refused_update(R"({"expected_at":1e400})").code == make_error_code(errc::out_of_range));
  CHECK(refused_update("[]").code == make_error_code(errc::wrong_type));
  std::string long_answer = R"({"answer":{"text":")" + std::string(4001, 'a') + R"("}})";
  CHECK(refused_update(long_answer).code == make_error_code(errc::too_long));
}

TEST_CASE("an answer a citizen would read as nothing is refused; control characters are removed") {
  for (const char* blank : {R"({"answer":{"text":"   "}})", R"({"answer":{"text":"\u0000"}})",
                            R"({"answer":{"text":"\u200b\n\t"}})"}) {
    CAPTURE(blank);
    auto e = refused_update(blank);
    CHECK(e.code == make_error_code(errc::too_short));
    CHECK(e.pointer == "/answer/text");
  }
  auto ok = parse_update_request(R"({"answer":{"text":"  보수\u0000했습니다 \n"}})");
  REQUIRE(ok.has_value());
  CHECK(ok->answer->text == "보수했습니다");
}

TEST_CASE("a member given twice is refused at its pointer; any nesting depth is read safely") {
  auto twice = refused_update(R"({"status":"in_progress","status":"fixed"})");
  CHECK(twice.code == make_error_code(errc::duplicate_field));
  CHECK(twice.pointer == "/status");
  CHECK(refused_update(R"({"answer":{"text":"a","text":"b"}})").pointer == "/answer/text");
  // 4 MiB of '[' (the body limit): a recursive parser overflows the stack on it.
  const size_t depth = 2 * 1024 * 1024;
  std::string deep = R"({"answer":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  CHECK(refused_update(deep).pointer == "/answer");
  CHECK(refused_update(std::string(depth, '[') + std::string(depth, ']')).code ==
        make_error_code(errc::wrong_type));
}

TEST_CASE("only a division the case belongs to may update it, and a repeat is the same update") {
  auto request = parse_update_request(R"({"status":"in_progress"})");
  REQUIRE(request.has_value());
  auto update =
      make_update(pothole(), clerk({"water"}), *request, "key-1", "secret-0123456789", now);
  REQUIRE(update.has_value());
  CHECK(update->division == "water");
  CHECK(update->locality == "Jongno-gu");
  CHECK(update->actor == "clerk-0042");
  CHECK(update->id.starts_with("upd-"));
  auto again = make_update(pothole(), clerk({"water"}), *request, "key-1", "secret-0123456789",
                           now + std::chrono::seconds(5));
  REQUIRE(again.has_value());
  CHECK(again->id == update->id);
  auto other =
      make_update(pothole(), clerk({"water"}), *request, "key-2", "secret-0123456789", now);
  CHECK(other->id != update->id);

  auto stranger = make_update(pothole(), clerk({"parks"}), *request, "k", "secret-0123456789", now);
  REQUIRE_FALSE(stranger.has_value());
  CHECK(stranger.error().code == make_error_code(errc::forbidden));
  auth::claims supervisor = clerk({});
  supervisor.role = "supervisor";
  CHECK(make_update(pothole(), supervisor, *request, "k", "secret-0123456789", now).has_value());

  auto reopen = parse_update_request(R"({"status":"reopened"})");
  auto refused = make_update(pothole(), clerk({"roads"}), *reopen, "k", "s", now);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == make_error_code(errc::state_conflict));
  case_summary fixed = pothole();
  fixed.status = case_status::fixed;
  CHECK(make_update(fixed, clerk({"roads"}), *reopen, "k", "s", now).has_value());
}

TEST_CASE("a reassignment names only the divisions of the routing rules") {
  auto divisions =
      division_list::from_rules_file(test::source_dir() / "deploy/config/rules/seoul.yaml");
  REQUIRE(divisions.has_value());
  CHECK(divisions->contains("roads"));
  CHECK(divisions->contains("transport"));
  CHECK(divisions->contains("triage"));  // the router's fallback: a case may go back there
  CHECK_FALSE(divisions->contains("pothole"));

  auto known = parse_update_request(R"({"assign_to":["transport","roads"]})");
  REQUIRE(known.has_value());
  CHECK_FALSE(check_assign_to(*known, &*divisions).has_value());
  auto unknown = parse_update_request(R"({"assign_to":["roads","roadworks"]})");
  REQUIRE(unknown.has_value());  // well-formed: only the list knows it is no division
  auto refused = check_assign_to(*unknown, &*divisions);
  REQUIRE(refused.has_value());
  CHECK(refused->code == make_error_code(errc::invalid_value));
  CHECK(refused->pointer == "/assign_to");
  CHECK(refused->message.find("assign_to[1]") != std::string::npos);
  CHECK(refused->message.find("transport, roads") != std::string::npos);
  // No list (the rules file unreadable at the start): no reassignment is taken.
  CHECK(check_assign_to(*unknown, nullptr)->code == make_error_code(errc::bad_config));
  CHECK_FALSE(check_assign_to(*parse_update_request(R"({"status":"fixed"})"), nullptr));

  CHECK_FALSE(division_list::from_rules_file("/nonexistent/rules.yaml").has_value());
}

TEST_CASE("the Idempotency-Key header is required and bounded") {
  CHECK(check_idempotency_key(std::nullopt)->code == make_error_code(errc::missing_field));
  CHECK(check_idempotency_key(std::string(256, 'k'))->code == make_error_code(errc::too_long));
  CHECK(check_idempotency_key("has space").has_value());
  CHECK_FALSE(check_idempotency_key("0193f2a4-answer-1").has_value());

  idempotency_cache cache(2);
  cache.put("a", {"h1", 202, "first"});
  cache.put("a", {"h2", 202, "second"});
  CHECK(cache.find("a")->body == "first");
  cache.put("b", {"h", 202, "b"});
  cache.put("c", {"h", 202, "c"});
  CHECK_FALSE(cache.find("a").has_value());
  CHECK(cache.find("c").has_value());
}

TEST_CASE("repeats sent while the first update is being stored wait for its answer") {
  idempotency_cache cache(8);
  std::vector<std::string> answers;
  auto waiter = [&](const std::optional<idempotency_cache::entry>& e) {
    answers.push_back(e ? e->body : "not stored");
  };
  CHECK(cache.begin("k", "h1", waiter).kind == idempotency_cache::start::first);
  // Two repeats of the same body wait; another body is refused at once.
  CHECK(cache.begin("k", "h1", waiter).kind == idempotency_cache::start::waiting);
  CHECK(cache.begin("k", "h1", waiter).kind == idempotency_cache::start::waiting);
  CHECK(cache.begin("k", "h2", waiter).kind == idempotency_cache::start::other_body);
  CHECK(answers.empty());
  cache.finish("k", {"h1", 202, "stored at 17"});
  CHECK(answers == std::vector<std::string>{"stored at 17", "stored at 17"});
  auto later = cache.begin("k", "h1", waiter);
  CHECK(later.kind == idempotency_cache::start::repeat);
  CHECK(later.done->body == "stored at 17");
  CHECK(cache.begin("k", "h2", waiter).kind == idempotency_cache::start::other_body);

  // The first not stored: its waiters are told to send again, and the key is free.
  answers.clear();
  CHECK(cache.begin("j", "h", waiter).kind == idempotency_cache::start::first);
  CHECK(cache.begin("j", "h", waiter).kind == idempotency_cache::start::waiting);
  cache.abandon("j");
  CHECK(answers == std::vector<std::string>{"not stored"});
  CHECK(cache.begin("j", "h", waiter).kind == idempotency_cache::start::first);
}

TEST_CASE("support names the supporter by pseudonym only") {
  auto s = parse_support_request(R"({"supporter":"citizen-account-77"})");
  REQUIRE(s.has_value());
  CHECK_FALSE(parse_support_request(R"({"supporter":""})").has_value());
  CHECK_FALSE(parse_support_request(R"({"supporter":"a","email":"x@y"})").has_value());
  for (const char* body :
       {R"({"supporter":"a\u0000b"})", R"({"supporter":"a\nb"})", R"({"supporter":"\u200b"})",
        R"({"supporter":"   "})", R"({"supporter":"a\u200bb"})"}) {
    auto refused = parse_support_request(body);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().pointer == "/supporter");
  }
  auto r = make_support(idea(), std::string(32, 'c'), "web", now);
  REQUIRE(r.has_value());
  CHECK(r->type == responses::response_type::support);
  CHECK(r->supporter == std::string(32, 'c'));
  CHECK(responses::parse_json(responses::to_json(*r)).has_value());
  CHECK(make_support(idea(), std::string(32, 'c'), "web", now)->id == r->id);
}

TEST_CASE("only an idea gathers support: a complaint, praise or question is refused") {
  for (std::string kind : {"complaint", "praise", "question"}) {
    case_summary c = pothole();
    c.kind = kind;
    auto refused = make_support(c, std::string(32, 'c'), "web", now);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == make_error_code(errc::not_an_idea));
    CHECK(refused.error().message.find(kind) != std::string::npos);
  }
  CHECK(traits(make_error_code(errc::not_an_idea)).http_status == 409);
  CHECK(error_name(make_error_code(errc::not_an_idea)) == "not_an_idea");

  // The directory takes the kind from the case record; a record without one is a complaint.
  case_directory dir;
  dir.apply("case-1", R"({"id":"case-1","divisions":["roads"],"district":null,"kind":"idea"})");
  dir.apply("case-2", R"({"id":"case-2","divisions":["roads"],"district":null})");
  CHECK(dir.find("case-1")->kind == "idea");
  CHECK(dir.find("case-2")->kind == "complaint");
}

TEST_CASE("Open311 shows the case's status, notes, division and times") {
  case_summary c = pothole();
  c.status = case_status::fixed;
  c.answer = "세종대로 포트홀을 보수했습니다.";
  c.updated_at = "2026-11-22T05:00:00.000Z";
  c.expected_at = "2026-11-23T09:00:00+09:00";
  c.history = {{"upd-1", case_status::in_progress, "2026-11-22T03:00:00.000Z", ""},
               {"upd-2", case_status::fixed, "2026-11-22T05:00:00.000Z", c.answer}};
  rapidjson::Document doc;
  doc.Parse(request_json({c.requests[0].id, "pothole", c, c.requests[0].requested_at}).c_str());
  CHECK(std::string(doc["status"].GetString()) == "closed");
  CHECK(std::string(doc["status_notes"].GetString()) == c.answer);
  CHECK(std::string(doc["agency_responsible"].GetString()) == "roads");
  CHECK(std::string(doc["updated_datetime"].GetString()) == "2026-11-22T05:00:00.000Z");
  CHECK(std::string(doc["expected_datetime"].GetString()) == "2026-11-23T09:00:00+09:00");

  std::vector<std::pair<open311_request, case_summary>> all{{c.requests[0], c}};
  auto code = [](std::string_view) { return std::optional<std::string>("pothole"); };
  auto q = parse_requests_query("status=closed&start_date=2026-11-21T00:00:00Z");
  REQUIRE(q.has_value());
  doc.Parse(requests_json(*q, all, code, now).c_str());
  CHECK(doc.Size() == 1);
  doc.Parse(requests_json(*parse_requests_query("status=open"), all, code, now).c_str());
  CHECK(doc.Size() == 0);
  CHECK_FALSE(parse_requests_query("status=pending").has_value());
  CHECK_FALSE(parse_requests_query("start_date=yesterday").has_value());

  doc.Parse(updates_json(all, parse_rfc3339("2026-11-22T00:00:00Z"), std::nullopt, now).c_str());
  REQUIRE(doc.Size() == 2);
  CHECK(std::string(doc[1]["status"].GetString()) == "FIXED");
  CHECK(std::string(doc[1]["description"].GetString()) == c.answer);
}

TEST_CASE("the directory keeps each case's summary and finds it by Open311 request") {
  case_directory dir;
  std::string record = R"({"version":1,"id":"case-1","report_count":2,"duplicates_dropped":0,
    "members":["a"],"divisions":["roads"],"district":null,"location":null,"members_truncated":true,
    "first_seen":"2026-11-22T01:00:00.000Z","last_seen":"2026-11-22T01:00:00.000Z","status":"open",
    "lifecycle":{"status":"in_progress","open311_status":"open","updated_at":"2026-11-22T02:00:00.000Z",
      "expected_at":null,"answer":{"update_id":"u","text":"작업 중","language":"ko","at":"x","division":"roads"},
      "history":[]},
    "support":{"count":3,"thresholds":[]},"deliveries":null,
    "service_requests":[{"id":"pothole-1-sig","requested_at":"2026-11-22T01:00:00.000Z"}]})";
  dir.apply("case-1", record);
  auto c = dir.find("case-1");
  REQUIRE(c.has_value());
  CHECK(c->locality == "citywide");
  CHECK(c->status == case_status::in_progress);
  CHECK(c->support_count == 3);
  CHECK(c->answer == "작업 중");
  CHECK(dir.find_by_request("pothole-1-sig")->id == "case-1");
  dir.apply("case-1", std::nullopt);
  CHECK_FALSE(dir.find("case-1").has_value());
  CHECK_FALSE(dir.find_by_request("pothole-1-sig").has_value());
}

TEST_CASE("a support reply is a support word and a case reference, nothing else") {
  CHECK(support_reference("공감 3c4d5e6f") == "3C4D5E6F");
  CHECK(support_reference("  +1 #3C4D5E6F ") == "3C4D5E6F");
  CHECK(support_reference("동의: 3C4D5E6F!") == "3C4D5E6F");
  CHECK(support_reference("support 3C4D5E6F") == "3C4D5E6F");
  CHECK_FALSE(support_reference("공감합니다 3C4D5E6F").has_value());
  CHECK_FALSE(support_reference("공감 3C4D5E6").has_value());
  CHECK_FALSE(support_reference("공감 3C4D5E6G").has_value());
  CHECK_FALSE(support_reference("공감 3C4D5E6F 그리고 다른 문제도 있어요").has_value());
  CHECK_FALSE(support_reference("광화문역 포트홀").has_value());

  case_directory dir;
  dir.apply(
      "case-0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f",
      R"({"id":"case-0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f","divisions":["roads"],"district":null})");
  CHECK(dir.find_by_reference("3C4D5E6F").size() == 1);
  CHECK(dir.find_by_reference("00000000").empty());
}
