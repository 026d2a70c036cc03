// Open data without HTTP: what a public case says and never says, paging,
// ETag/304, the 400s naming their parameter, k-anonymous statistics, the
// per-address rate limit.

#include "gateway/open/open_api.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <thread>

#include "common/sla/working_calendar.hpp"
#include "common/time/rfc3339.hpp"
#include "gateway/open/daily_export.hpp"
#include "gateway/open/statistics.hpp"

using namespace civic;
using namespace civic::gateway;

namespace {

const std::string key = "open-data-test-key-0123456789";

// A feedback.cases record as dedup writes it (the fields open data reads, and
// the personal ones it must drop).
std::string record(int n, std::string district, std::string division, int citizens,
                   std::string answered_at = "", bool public_answer = false,
                   std::string first_seen = "2026-11-23T01:00:00.000Z") {
  std::string marks;
  for (int i = 0; i < citizens; ++i) {
    char m[9];
    std::snprintf(m, sizeof m, "%08x", n * 100 + i);
    marks += (i ? ",\"" : "\"") + std::string(m) + "\"";
  }
  std::string answer =
      answered_at.empty() ? "null"
                          : R"({"update_id":"upd-1","text":"보수했습니다","language":"ko","at":")" +
                                answered_at + R"(","division":")" + division + R"(","public":)" +
                                (public_answer ? "true" : "false") + "}";
  std::string status = answered_at.empty() ? "received" : "fixed";
  return R"({"version":1,"id":"case-0195c2a4-7a10-7c3e-9b21-00000000000)" + std::to_string(n) +
         R"(","report_count":2,"duplicates_dropped":0,"members":["0195c2a4-7a10-7c3e-9b21-4f0d2e6a8b11"],)"
         R"("divisions":[")" +
         division + R"("],"district":")" + district +
         R"(","title":"010-1234-5678 홍길동 집 앞 포트홀","latest_text":"me@example.com",)"
         R"("kind":"complaint","urgency":"normal","channels":["line"],"citizen_marks":[)" +
         marks +
         R"(],"location":{"lat":37.5,"lon":126.9},"members_truncated":false,"first_seen":")" +
         first_seen + R"(","last_seen":")" + first_seen +
         R"(","status":"open",)"
         R"("lifecycle":{"status":")" +
         status + R"(","open311_status":")" + (answered_at.empty() ? "open" : "closed") +
         R"(","updated_at":)" + (answered_at.empty() ? "null" : "\"" + answered_at + "\"") +
         R"(,"answered_at":)" + (answered_at.empty() ? "null" : "\"" + answered_at + "\"") +
         R"(,"expected_at":null,"answer":)" + answer +
         R"(,"history":[]},)"
         R"("support":{"count":1,"thresholds":[]},"deliveries":null,"service_requests":[],)"
         R"("service_level":{"class":"grievance","limit":{"amount":7,"unit":"working_days"},)"
         R"("due_at":"2026-12-01T09:00:00.000Z","answered_at":)" +
         (answered_at.empty() ? "null" : "\"" + answered_at + "\"") + R"(,"on_time":)" +
         (answered_at.empty() ? "null" : (answered_at < "2026-12-01T09" ? "true" : "false")) + "}}";
}

http::request get(std::string_view path, std::string_view query = {},
                  std::optional<std::string> if_none_match = std::nullopt) {
  http::request r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  r.client_address = "192.0.2.7";
  r.header = [if_none_match](std::string_view name) -> std::optional<std::string_view> {
    if (name == "If-None-Match" && if_none_match) return std::string_view(*if_none_match);
    return std::nullopt;
  };
  return r;
}

std::string header(const http::response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

int64_t at_ms(const char* t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(parse_rfc3339(t)->time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("a public case carries the published fields and nothing personal") {
  open::catalog cases(key);
  cases.apply("case-a", record(1, "Jongno-gu", "roads", 2, "2026-11-24T02:00:00.000Z", true));
  cases.apply("case-b", record(2, "Mapo-gu", "roads", 1, "2026-11-24T03:00:00.000Z", false));
  open::open_api api({}, cases, std::nullopt, [] { return at_ms("2026-12-02T00:00:00Z"); });
  auto res = api.cases(get("/open/v1/cases"));
  REQUIRE(res.status == 200);
  for (const char* secret : {"010-1234-5678", "홍길동", "me@example.com", "case-0195", "0195c2a4",
                             "37.5", "citizen_marks", "00000064", "reply"}) {
    CAPTURE(secret);
    CHECK(res.body.find(secret) == std::string::npos);
  }
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  REQUIRE(doc.IsObject());
  REQUIRE(doc["items"].Size() == 2);
  CHECK(doc["total"].GetUint() == 2);
  for (const auto& item : doc["items"].GetArray()) {
    std::string id = item["id"].GetString();
    CHECK(id.size() == 27);
    CHECK(id.rfind("oc-", 0) == 0);
    CHECK(std::string(item["division"].GetString()) == "roads");
    CHECK(std::string(item["service_class"].GetString()) == "grievance");
    CHECK(item["on_time"].GetBool());
    CHECK(std::string(item["closed_at"].GetString()).size() == 24);
  }
  // The answer text only where the division marked it public.
  int with_text = 0;
  for (const auto& item : doc["items"].GetArray()) with_text += item["answer"].IsObject() ? 1 : 0;
  CHECK(with_text == 1);
  CHECK(open::public_id(key, "case-a") == open::public_id(key, "case-a"));
  CHECK(open::public_id(key, "case-a") != open::public_id("another-key-0123456789", "case-a"));

  auto one = api.one_case(get("/open/v1/cases/x"), doc["items"][0]["id"].GetString());
  CHECK(one.status == 200);
  CHECK(api.one_case(get("/open/v1/cases/x"), "oc-000000000000000000000000").status == 404);
}

TEST_CASE(
    "an unanswered case past its due time is late now, and the clock is the only wall-clock view") {
  open::catalog cases(key);
  cases.apply("case-a", record(1, "Jongno-gu", "roads", 1));
  auto before = open::open_api({}, cases, std::nullopt, [] {
                  return at_ms("2026-12-01T08:59:59Z");
                }).cases(get("/open/v1/cases"));
  auto after = open::open_api({}, cases, std::nullopt, [] {
                 return at_ms("2026-12-01T09:00:01Z");
               }).cases(get("/open/v1/cases"));
  CHECK(before.body.find("\"late\":false") != std::string::npos);
  CHECK(after.body.find("\"late\":true") != std::string::npos);
  CHECK(after.body.find("\"on_time\":null") != std::string::npos);
}

TEST_CASE("cases are paged in a stable order and filtered; bad parameters are named") {
  open::catalog cases(key);
  for (int n = 1; n <= 5; ++n) {
    cases.apply("case-" + std::to_string(n),
                record(n, n % 2 ? "Jongno-gu" : "Mapo-gu", "roads", 1, "", false,
                       "2026-11-2" + std::to_string(n) + "T01:00:00.000Z"));
  }
  open::open_api api({}, cases, std::nullopt);
  auto first = api.cases(get("/open/v1/cases", "per_page=2"));
  auto second = api.cases(get("/open/v1/cases", "per_page=2&page=3"));
  CHECK(first.body.find("\"next_page\":2") != std::string::npos);
  CHECK(first.body.find("2026-11-25T01") != std::string::npos);  // newest first
  CHECK(second.body.find("\"next_page\":null") != std::string::npos);
  CHECK(second.body.find("2026-11-21T01") != std::string::npos);
  auto mapo = api.cases(get("/open/v1/cases", "district=Mapo-gu"));
  CHECK(mapo.body.find("\"total\":2") != std::string::npos);

  auto bad = api.cases(get("/open/v1/cases", "per_page=100000"));
  CHECK(bad.status == 400);
  CHECK(bad.body.find("\"pointer\":\"/query/per_page\"") != std::string::npos);
  CHECK(bad.body.find("\"code\":\"out_of_range\"") != std::string::npos);
  auto word = api.cases(get("/open/v1/cases", "per_page=abc"));
  CHECK(word.status == 400);
  CHECK(word.body.find("\"code\":\"invalid_value\"") != std::string::npos);
  CHECK(api.cases(get("/open/v1/cases", "per_page=0")).body.find("out_of_range") !=
        std::string::npos);
  CHECK(api.cases(get("/open/v1/cases", "page=0")).status == 400);
  CHECK(api.cases(get("/open/v1/cases", "answered=maybe")).status == 400);
  auto unknown = api.cases(get("/open/v1/cases", "text=x"));
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("\"code\":\"unknown_field\"") != std::string::npos);
  auto twice = api.cases(get("/open/v1/cases", "kind=idea&kind=praise"));
  CHECK(twice.status == 400);
  CHECK(twice.body.find("\"code\":\"duplicate_field\"") != std::string::npos);
  CHECK(twice.body.find("\"pointer\":\"/query/kind\"") != std::string::npos);
}

TEST_CASE("an ETag comes with every answer, and If-None-Match with it answers 304") {
  open::catalog cases(key);
  cases.apply("case-a", record(1, "Jongno-gu", "roads", 1));
  open::open_api api({}, cases, std::nullopt, [] { return at_ms("2026-11-25T00:00:00Z"); });
  auto first = api.cases(get("/open/v1/cases"));
  std::string etag = header(first, "ETag");
  REQUIRE(etag.size() == 26);
  CHECK(header(first, "Cache-Control") == "public, max-age=30");
  auto again = api.cases(get("/open/v1/cases", {}, etag));
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(api.cases(get("/open/v1/cases", {}, "W/" + etag + ", \"other\"")).status == 304);
  cases.apply("case-b", record(2, "Mapo-gu", "roads", 1));
  CHECK(api.cases(get("/open/v1/cases", {}, etag)).status == 200);  // changed: a new tag
}

TEST_CASE("a statistic covering fewer than k distinct citizens is suppressed") {
  open::catalog cases(key);
  // Jongno-gu: three cases from 2 + 2 + 1 citizens = 5 distinct; Mapo-gu: one case, 4 citizens.
  cases.apply("case-1", record(1, "Jongno-gu", "roads", 2, "2026-11-23T03:00:00.000Z"));
  cases.apply("case-2", record(2, "Jongno-gu", "roads", 2, "2026-11-23T05:00:00.000Z"));
  cases.apply("case-3", record(3, "Jongno-gu", "roads", 1));
  cases.apply("case-4", record(4, "Mapo-gu", "water", 4, "2026-11-24T01:00:00.000Z"));
  open::open_api api({}, cases, std::nullopt, [] { return at_ms("2026-11-25T00:00:00Z"); });
  auto res = api.stats(get("/open/v1/stats/district"), "district");
  REQUIRE(res.status == 200);
  rapidjson::Document doc;
  doc.Parse(res.body.c_str());
  REQUIRE(doc["cells"].Size() == 2);
  const auto& jongno = doc["cells"][0];
  CHECK(std::string(jongno["key"].GetString()) == "Jongno-gu");
  CHECK_FALSE(jongno["suppressed"].GetBool());
  CHECK(jongno["cases"].GetUint() == 3);
  CHECK(jongno["answered"].GetUint() == 2);
  CHECK(jongno["answered_on_time"].GetUint() == 2);
  CHECK(jongno["answered_late"].GetUint() == 0);
  CHECK(jongno["median_hours_to_first_answer"].GetDouble() == 3.0);  // 2 h and 4 h
  const auto& mapo = doc["cells"][1];
  CHECK(mapo["suppressed"].GetBool());
  CHECK(mapo["cases"].IsNull());
  CHECK(mapo["median_hours_to_first_answer"].IsNull());
  CHECK(doc["k"].GetUint() == 5);

  auto weeks = api.stats(get("/open/v1/stats/week"), "week");
  CHECK(weeks.body.find("2026-W48") != std::string::npos);
  CHECK(api.stats(get("/open/v1/stats/colour"), "colour").status == 404);
  CHECK(open::iso_week(at_ms("2026-12-31T16:00:00Z"), 540) == "2026-W53");  // Fri 1 Jan 2027 KST
  CHECK(open::iso_week(at_ms("2027-01-04T00:00:00Z"), 540) == "2027-W01");
}

TEST_CASE("each client address has a token bucket") {
  open::catalog cases(key);
  open::open_settings s;
  s.client_rate = {1, 3};
  open::open_api api(s, cases, std::nullopt);
  auto req = get("/open/v1/cases");
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += api.admit(req) ? 1 : 0;
  CHECK(admitted == 3);
  req.client_address = "192.0.2.8";
  CHECK(api.admit(req));
}

TEST_CASE("a day's export holds that day's cases, the same bytes every time, with a dictionary") {
  open::catalog cases(key);
  // 2026-11-23 in Seoul runs from 2026-11-22T15:00Z to 2026-11-23T15:00Z.
  cases.apply("case-1", record(1, "Jongno-gu", "roads", 1, "2026-11-24T02:00:00.000Z", true,
                               "2026-11-22T15:00:00.000Z"));
  cases.apply("case-2", record(2, "Mapo-gu", "water", 1, "", false, "2026-11-23T14:59:59.999Z"));
  cases.apply("case-3", record(3, "Mapo-gu", "water", 1, "", false, "2026-11-23T15:00:00.000Z"));
  auto day = *sla::parse_day("2026-11-23");
  auto first = open::build_export(*cases.snapshot(), day, 540);
  auto again = open::build_export(*cases.snapshot(), day, 540);
  CHECK(first.rows == 2);
  CHECK(first.csv == again.csv);
  CHECK(first.jsonl == again.jsonl);
  CHECK(first.csv.rfind("id,division,divisions,district,kind,status,", 0) == 0);
  CHECK(first.csv.find("\r\n") != std::string::npos);
  CHECK(first.csv.find("보수했습니다") != std::string::npos);  // the public answer
  CHECK(first.jsonl.find("\"late\"") == std::string::npos);    // no wall clock in the export
  CHECK(first.jsonl.find("홍길동") == std::string::npos);
  CHECK(first.dictionary_csv.rfind("field,type,meaning\r\nid,string,", 0) == 0);
  size_t lines = 0;
  for (char c : first.jsonl) lines += c == '\n';
  CHECK(lines == 2);
}

TEST_CASE("the catalog takes records while requests read it") {
  open::catalog cases(key);
  open::open_api api({}, cases, std::nullopt);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int n = 0; n < 300; ++n)
      cases.apply("case-" + std::to_string(n % 150), record(n % 150, "Jongno-gu", "roads", 1));
    done = true;
  });
  size_t reads = 0;
  while (!done) {
    auto res = api.cases(get("/open/v1/cases", "per_page=5"));
    REQUIRE(res.status == 200);
    ++reads;
  }
  writer.join();
  CHECK(reads > 0);
  CHECK(cases.size() == 150);
  CHECK(cases.snapshot()->size() == 150);
}

TEST_CASE("a busy catalog re-sorts at most once per max_staleness") {
  open::catalog lazy(key, std::chrono::hours(1));
  lazy.apply("case-1", record(1, "Jongno-gu", "roads", 1));
  CHECK(lazy.snapshot()->size() == 1);
  lazy.apply("case-2", record(2, "Jongno-gu", "roads", 1));
  CHECK(lazy.snapshot()->size() == 1);  // the sorted copy of a moment ago
  CHECK(lazy.size() == 2);
  CHECK(lazy.find(open::public_id(key, "case-0195c2a4-7a10-7c3e-9b21-000000000002")));
}
