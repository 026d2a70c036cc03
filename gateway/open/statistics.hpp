#pragma once
// Aggregates of the open cases, with k-anonymity: a cell (a division, a
// district, a kind or a week) whose cases come from fewer than k distinct
// citizens is suppressed: it stays in the list with "suppressed": true and
// every figure null, so a reader sees that it exists and why it is blank.
// Distinct citizens are the union of the cases' citizen marks (hashes of the
// authors' pseudonyms that dedup keeps, up to 64 a case); anonymous reports
// count for none, so an uncertain cell is suppressed rather than shown.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/open/public_case.hpp"

namespace civic::gateway::open {

enum class dimension { division, district, kind, week };
std::optional<dimension> parse_dimension(std::string_view name);
std::string_view to_string(dimension d);

struct cell {
  std::string key;
  bool suppressed = false;
  uint64_t cases = 0;
  uint64_t open = 0;
  uint64_t answered = 0;
  uint64_t answered_on_time = 0;
  uint64_t answered_late = 0;  // on time + late = the answered cases that had a clock
  uint64_t late_now = 0;       // unanswered past due at the time asked
  std::optional<double> median_hours_to_first_answer;
};

struct statistics_settings {
  size_t k = 5;
  int utc_offset_minutes = 9 * 60;  // weeks are the city's ISO weeks
};

// "2026-W49": the ISO week of `utc_ms` in the city's time.
std::string iso_week(int64_t utc_ms, int utc_offset_minutes);

// Cells sorted by key; `now_ms` only for late_now.
std::vector<cell> aggregate(std::span<const public_case> cases, dimension by,
                            const statistics_settings& s, int64_t now_ms);

// {"by","k","cells":[...]} as the API and the page publish it.
std::string to_json(const std::vector<cell>& cells, dimension by, size_t k);

}  // namespace civic::gateway::open
