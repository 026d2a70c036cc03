#include <doctest/doctest.h>

#include "common/error/errc.hpp"
#include "common/responses/delivery.hpp"
#include "common/responses/response.hpp"

using namespace civic;
using namespace civic::responses;

namespace {

response answered_update() {
  response r;
  r.type = response_type::update;
  r.id = "upd-3f2c9a7e51b04d6c8e9f0a1b2c3d4e5f";
  r.case_id = "case-0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f";
  r.locality = "Jongno-gu";
  r.at = "2026-11-22T03:00:00.000Z";
  r.division = "roads";
  r.actor = "clerk-0042";
  r.status = case_status::fixed;
  r.answer = answer_text{"세종대로 포트홀을 보수했습니다. 신고해 주셔서 감사합니다.", "ko"};
  r.expected_at = "2026-11-23T09:00:00+09:00";
  return r;
}

}  // namespace

TEST_CASE("every response type survives a JSON round trip") {
  response update = answered_update();
  response support;
  support.type = response_type::support;
  support.id = "sup-1";
  support.case_id = "case-1";
  support.locality = "citywide";
  support.at = "2026-11-22T03:00:00.000Z";
  support.supporter = "3f2c9a7e51b04d6c8e9f0a1b2c3d4e5f";
  support.channel = "web";
  response threshold;
  threshold.type = response_type::threshold;
  threshold.id = "thr-case-1-50";
  threshold.case_id = "case-1";
  threshold.locality = "citywide";
  threshold.at = "2026-11-22T03:00:00.000Z";
  threshold.threshold = 50;
  threshold.milestone = "department_answers";
  threshold.support_count = 50;
  for (const auto& r : {update, support, threshold}) {
    auto json = to_json(r);
    CAPTURE(json);
    auto parsed = parse_json(json);
    REQUIRE_MESSAGE(parsed.has_value(), parsed.error().pointer << " " << parsed.error().message);
    CHECK(*parsed == r);
  }
}

TEST_CASE("a response that breaks the contract is refused at the field") {
  auto json = to_json(answered_update());
  auto refused = [](std::string text) {
    auto parsed = parse_json(text);
    REQUIRE_FALSE(parsed.has_value());
    return parsed.error();
  };
  auto replace = [&](std::string from, std::string to) {
    std::string s = json;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  CHECK(refused(replace("\"fixed\"", "\"mended\"")).pointer == "/status");
  CHECK(refused(replace("\"roads\"", "\"Roads!\"")).pointer == "/division");
  CHECK(refused(replace("\"notify\":true", "\"notify\":true,\"phone\":\"010\"")).code ==
        make_error_code(errc::unknown_field));
  auto no_change = replace("\"status\":\"fixed\"", "\"status\":null");
  no_change = no_change.replace(
      no_change.find("\"answer\":{"),
      no_change.find("},\"assign_to\"") + 1 - no_change.find("\"answer\":{"), "\"answer\":null");
  CHECK(refused(no_change).code == make_error_code(errc::missing_field));
  CHECK(refused("[1]").pointer == "");
  CHECK(refused(replace("\"type\":\"update\"", "\"type\":\"support\"")).code ==
        make_error_code(errc::unknown_field));
}

TEST_CASE("statuses map to Open311 and FixMyStreet") {
  CHECK(open311_status(case_status::received) == "open");
  CHECK(open311_status(case_status::action_scheduled) == "open");
  CHECK(open311_status(case_status::reopened) == "open");
  CHECK(open311_status(case_status::fixed) == "closed");
  CHECK(open311_status(case_status::not_responsible) == "closed");
  CHECK(fixmystreet_status(case_status::not_responsible) == "NOT_COUNCILS_RESPONSIBILITY");
  CHECK(fixmystreet_status(case_status::reopened) == "REOPEN");
  for (auto s : all_statuses()) CHECK(parse_status(to_string(s)) == s);
  CHECK_FALSE(parse_status("open").has_value());
}

TEST_CASE("delivery records round-trip and summaries are read back") {
  delivery_outcome_record o{"upd-1",
                            "case-1",
                            "Jongno-gu",
                            "2026-11-22T03:00:00.000Z",
                            "3f2c9a7e51b04d6c8e9f0a1b2c3d4e5f",
                            "whatsapp",
                            delivery_outcome::window_expired,
                            "template",
                            "no template configured",
                            1};
  auto parsed = parse_delivery_outcome_record(to_json(o));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == o);
  CHECK(delivery_record_type(to_json(o)) == "outcome");

  delivery_summary s{
      "upd-1",
      "case-1",
      "Jongno-gu",
      "2026-11-22T03:00:00.000Z",
      50,
      true,
      {{"delivered", 48}, {"window_expired", 2}},
      {{"line", {{"delivered", 20}}}, {"whatsapp", {{"delivered", 28}, {"window_expired", 2}}}}};
  auto summary = parse_delivery_summary(to_json(s));
  REQUIRE(summary.has_value());
  CHECK(*summary == s);
  CHECK_FALSE(parse_delivery_summary(to_json(o)).has_value());
}

TEST_CASE("an answer written before open data (no \"public\") is read as not public") {
  response r = answered_update();
  r.answer->published = true;
  std::string json = to_json(r);
  const std::string marked = R"(,"public":true)";
  auto at = json.find(marked);
  REQUIRE(at != std::string::npos);
  auto published = parse_json(json);
  REQUIRE(published.has_value());
  CHECK(published->answer->published);

  json.erase(at, marked.size());
  auto older = parse_json(json);
  REQUIRE_MESSAGE(older.has_value(), older.error().pointer << " " << older.error().message);
  CHECK_FALSE(older->answer->published);

  json.insert(at, R"(,"public":"yes")");
  auto wrong = parse_json(json);
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().pointer == "/answer/public");
}
