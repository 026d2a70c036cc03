#pragma once
// Working time for statutory answer limits: which local days are working days
// (not a weekend day, not a public holiday), the working periods of such a day,
// and arithmetic over them. Times are Unix milliseconds; the city's clock is a
// fixed UTC offset (Korea has no daylight saving time).
//
// Counting follows the Korean Civil Petitions Treatment Act, article 19: a limit
// of days counts working days from the day of receipt (that day included) and
// ends when the last of them ends; a limit of hours counts working time from the
// moment of receipt.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::sla {

// Minutes after local midnight, [begin, end).
struct working_period {
  int begin = 0;
  int end = 0;
  bool operator==(const working_period&) const = default;
};

struct working_calendar {
  int utc_offset_minutes = 9 * 60;  // Asia/Seoul
  // 09:00-12:00 and 13:00-18:00: eight hours, the act's working day.
  std::vector<working_period> periods{{9 * 60, 12 * 60}, {13 * 60, 18 * 60}};
  // Local days (days since 1970-01-01) that are public holidays.
  std::set<int64_t> holidays;
  bool saturday_off = true;
  bool sunday_off = true;

  // `local_day`: days since 1970-01-01 in the city's time.
  bool is_working_day(int64_t local_day) const;
  int64_t local_day(int64_t utc_ms) const;

  // The end of the `days`-th working day, counting the day of `from_ms` when it
  // is a working day (days >= 1).
  int64_t add_working_days(int64_t from_ms, int days) const;
  // The moment when `minutes` of working time have passed after `from_ms`
  // (time outside the working periods does not count).
  int64_t add_working_minutes(int64_t from_ms, int64_t minutes) const;
};

// "09:00-12:00,13:00-18:00": ascending, not overlapping, within one day.
expected<std::vector<working_period>, std::string> parse_periods(std::string_view text);

// A holidays file: one "YYYY-MM-DD name..." a line; '#' starts a comment, blank
// lines are skipped. Errors name the line.
expected<std::set<int64_t>, std::string> parse_holidays(std::string_view text);
expected<std::set<int64_t>, std::string> load_holidays(const std::string& path);

// "YYYY-MM-DD" -> days since 1970-01-01 (nullopt when it is not a date).
std::optional<int64_t> parse_day(std::string_view text);

}  // namespace civic::sla
