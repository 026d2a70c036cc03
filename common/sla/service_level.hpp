#pragma once
// Statutory answer limits by kind of petition (Korean Civil Petitions Treatment
// Act and its decree: a grievance 7 days, a proposal 14, a simple question 7, an
// immediate matter 3 working hours) and the clock a case starts with. Pure:
// everything follows from the case's own timestamps and this policy.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "common/sla/working_calendar.hpp"

namespace civic::sla {

enum class limit_unit { working_days, working_hours };
std::string_view to_string(limit_unit u);

struct limit {
  int64_t amount = 0;
  limit_unit unit = limit_unit::working_days;
  bool operator==(const limit&) const = default;
};

struct policy {
  working_calendar calendar;
  // Class name -> its limit.
  std::map<std::string, limit, std::less<>> classes{
      {"grievance", {7, limit_unit::working_days}},
      {"proposal", {14, limit_unit::working_days}},
      {"simple_question", {7, limit_unit::working_days}},
      {"immediate", {3, limit_unit::working_hours}}};
  // A case's kind -> its class; a kind not listed (praise) has no clock.
  std::map<std::string, std::string, std::less<>> kind_classes{
      {"complaint", "grievance"}, {"idea", "proposal"}, {"question", "simple_question"}};
  // A case whose first report was urgent is this class ("" : urgency changes nothing).
  std::string urgent_class = "immediate";
};

struct clock {
  std::string class_name;
  limit allowed;
  int64_t due_ms = 0;
  bool operator==(const clock&) const = default;
};

// When `allowed` ends for something received at `opened_ms`.
int64_t due_ms(const working_calendar& calendar, const limit& allowed, int64_t opened_ms);

// The clock of a case opened at `opened_ms`; nullopt when its kind has none.
std::optional<clock> start_clock(const policy& p, std::string_view kind, std::string_view urgency,
                                 int64_t opened_ms);

// "grievance:7d,proposal:14d,immediate:3h" (d: working days, h: working hours).
expected<std::map<std::string, limit, std::less<>>, std::string> parse_classes(
    std::string_view text);
// "complaint:grievance,idea:proposal"; every class named must be in `classes`.
expected<std::map<std::string, std::string, std::less<>>, std::string> parse_kind_classes(
    std::string_view text, const std::map<std::string, limit, std::less<>>& classes);

}  // namespace civic::sla
