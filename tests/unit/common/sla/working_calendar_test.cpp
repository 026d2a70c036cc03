#include "common/sla/working_calendar.hpp"

#include <doctest/doctest.h>

#include "common/sla/service_level.hpp"
#include "common/time/rfc3339.hpp"

namespace {

int64_t ms(const char* rfc3339) {
  auto t = civic::parse_rfc3339(rfc3339);
  REQUIRE(t);
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

std::string at(int64_t ms) {
  return civic::format_rfc3339_utc(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

civic::sla::working_calendar korea() {
  civic::sla::working_calendar c;
  auto holidays =
      civic::sla::load_holidays(CIVIC_SOURCE_DIR "/deploy/config/holidays/kr-2026-2027.txt");
  REQUIRE_MESSAGE(holidays, holidays.error());
  c.holidays = *holidays;
  return c;
}

}  // namespace

TEST_CASE("seven working days count the day of receipt and skip the weekend") {
  auto c = korea();
  // Thursday 3 December 2026, 10:00 in Seoul: Thu, Fri, Mon..Fri 11th; ends 18:00 KST.
  CHECK(at(c.add_working_days(ms("2026-12-03T10:00:00+09:00"), 7)) == "2026-12-11T09:00:00.000Z");
  // Received late in the evening: that day still counts (article 19(2)).
  CHECK(at(c.add_working_days(ms("2026-12-03T23:30:00+09:00"), 7)) == "2026-12-11T09:00:00.000Z");
  // Received on a Saturday: counting starts on Monday.
  CHECK(at(c.add_working_days(ms("2026-12-05T10:00:00+09:00"), 1)) == "2026-12-07T09:00:00.000Z");
}

TEST_CASE("public holidays do not count: Chuseok and a substitute holiday") {
  auto c = korea();
  // Wed 23 Sep 2026 (1); 24-26 Chuseok; Mon 28 .. Fri 2 Oct (2..6); Mon 5 Oct substitute for
  // National Foundation Day; Tue 6 Oct is the seventh.
  CHECK(at(c.add_working_days(ms("2026-09-23T10:00:00+09:00"), 7)) == "2026-10-06T09:00:00.000Z");
  CHECK_FALSE(c.is_working_day(c.local_day(ms("2026-10-05T12:00:00+09:00"))));
  CHECK(c.is_working_day(c.local_day(ms("2026-10-06T12:00:00+09:00"))));
  // Without the holidays file the same count ends a week earlier.
  civic::sla::working_calendar bare;
  CHECK(at(bare.add_working_days(ms("2026-09-23T10:00:00+09:00"), 7)) ==
        "2026-10-01T09:00:00.000Z");
}

TEST_CASE("three working hours run across a night, lunch and a holiday") {
  auto c = korea();
  // 16:30 Tuesday: 1.5 h that day, 1.5 h from 09:00 Wednesday.
  CHECK(at(c.add_working_minutes(ms("2026-12-01T16:30:00+09:00"), 180)) ==
        "2026-12-02T01:30:00.000Z");
  // 11:00: one hour before lunch, two after it.
  CHECK(at(c.add_working_minutes(ms("2026-12-01T11:00:00+09:00"), 180)) ==
        "2026-12-01T06:00:00.000Z");
  // Friday 17:00 before Monday's substitute holiday: one hour Friday, two on Tuesday.
  CHECK(at(c.add_working_minutes(ms("2026-10-02T17:00:00+09:00"), 180)) ==
        "2026-10-06T02:00:00.000Z");
  // Received at night: the clock starts at 09:00.
  CHECK(at(c.add_working_minutes(ms("2026-12-01T22:00:00+09:00"), 60)) ==
        "2026-12-02T01:00:00.000Z");
}

TEST_CASE("the holidays file and working periods are checked line by line") {
  auto ok = civic::sla::parse_holidays("# comment\n\n2026-01-01 New Year's Day\n2026-03-01\n");
  REQUIRE(ok);
  CHECK(ok->size() == 2);
  auto bad = civic::sla::parse_holidays("2026-01-01 x\n2026-02-30 no such day\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "line 2: not \"YYYY-MM-DD name\"");
  CHECK_FALSE(civic::sla::load_holidays("/nonexistent/holidays.txt"));
  CHECK(korea().holidays.size() == 46);

  auto periods = civic::sla::parse_periods("09:00-12:00,13:00-18:00");
  REQUIRE(periods);
  CHECK(periods->size() == 2);
  CHECK_FALSE(civic::sla::parse_periods("13:00-12:00"));
  CHECK_FALSE(civic::sla::parse_periods("09:00-12:00,11:00-18:00"));
  CHECK_FALSE(civic::sla::parse_periods("9-18"));
}

TEST_CASE("a case's clock follows its kind, and urgency makes it an immediate matter") {
  civic::sla::policy p;
  p.calendar = korea();
  int64_t opened = ms("2026-12-03T10:00:00+09:00");
  auto grievance = civic::sla::start_clock(p, "complaint", "normal", opened);
  REQUIRE(grievance);
  CHECK(grievance->class_name == "grievance");
  CHECK(at(grievance->due_ms) == "2026-12-11T09:00:00.000Z");
  auto proposal = civic::sla::start_clock(p, "idea", "normal", opened);
  REQUIRE(proposal);
  CHECK(proposal->allowed == civic::sla::limit{14, civic::sla::limit_unit::working_days});
  auto immediate = civic::sla::start_clock(p, "complaint", "high", opened);
  REQUIRE(immediate);
  CHECK(immediate->class_name == "immediate");
  CHECK(at(immediate->due_ms) == "2026-12-03T05:00:00.000Z");  // 10-12, 13-14 KST
  CHECK_FALSE(civic::sla::start_clock(p, "praise", "normal", opened));

  auto classes = civic::sla::parse_classes("grievance:5d,immediate:2h");
  REQUIRE(classes);
  CHECK(classes->at("immediate") == civic::sla::limit{2, civic::sla::limit_unit::working_hours});
  CHECK_FALSE(civic::sla::parse_classes("grievance:7w"));
  CHECK_FALSE(civic::sla::parse_classes("grievance"));
  CHECK(civic::sla::parse_kind_classes("complaint:grievance", *classes));
  CHECK_FALSE(civic::sla::parse_kind_classes("idea:proposal", *classes));
}
