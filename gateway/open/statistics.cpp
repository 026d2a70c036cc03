#include "gateway/open/statistics.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "common/json/writer.hpp"
#include "common/responses/case_status.hpp"

namespace civic::gateway::open {
namespace {

struct accumulator {
  cell c;
  std::set<uint32_t> citizens;
  std::vector<double> hours;
};

std::string key_of(const public_case& c, dimension by, int offset) {
  switch (by) {
    case dimension::division:
      return c.divisions.front();
    case dimension::district:
      return c.district.value_or("citywide");
    case dimension::kind:
      return c.kind;
    case dimension::week:
      return iso_week(c.opened_ms, offset);
  }
  return {};
}

}  // namespace

std::optional<dimension> parse_dimension(std::string_view name) {
  if (name == "division") return dimension::division;
  if (name == "district") return dimension::district;
  if (name == "kind") return dimension::kind;
  if (name == "week") return dimension::week;
  return std::nullopt;
}

std::string_view to_string(dimension d) {
  switch (d) {
    case dimension::division:
      return "division";
    case dimension::district:
      return "district";
    case dimension::kind:
      return "kind";
    case dimension::week:
      return "week";
  }
  return "";
}

std::string iso_week(int64_t utc_ms, int utc_offset_minutes) {
  using namespace std::chrono;
  auto local = sys_days(floor<days>(milliseconds(utc_ms + utc_offset_minutes * 60'000LL)));
  weekday wd{local};
  int iso_wd = static_cast<int>(wd.iso_encoding());  // Monday 1 .. Sunday 7
  auto thursday = local + days(4 - iso_wd);
  year_month_day ymd{thursday};
  auto jan1 = sys_days(ymd.year() / January / 1);
  int week = static_cast<int>((thursday - jan1).count() / 7) + 1;
  char out[32];
  std::snprintf(out, sizeof out, "%04d-W%02d", static_cast<int>(ymd.year()), week);
  return out;
}

std::vector<cell> aggregate(std::span<const public_case> cases, dimension by,
                            const statistics_settings& s, int64_t now_ms) {
  std::map<std::string, accumulator> cells;
  for (const auto& c : cases) {
    auto& a = cells[key_of(c, by, s.utc_offset_minutes)];
    ++a.c.cases;
    if (c.open311_status == "open") ++a.c.open;
    if (c.answered_ms) {
      ++a.c.answered;
      if (c.on_time) ++(*c.on_time ? a.c.answered_on_time : a.c.answered_late);
      a.hours.push_back(static_cast<double>(*c.answered_ms - c.opened_ms) / 3'600'000.0);
    } else if (late_at(c, now_ms).value_or(false)) {
      ++a.c.late_now;
    }
    a.citizens.insert(c.citizen_marks.begin(), c.citizen_marks.end());
  }
  std::vector<cell> out;
  for (auto& [key, a] : cells) {
    a.c.key = key;
    if (a.citizens.size() < s.k) {
      cell hidden;
      hidden.key = key;
      hidden.suppressed = true;
      out.push_back(std::move(hidden));
      continue;
    }
    if (!a.hours.empty()) {
      std::sort(a.hours.begin(), a.hours.end());
      size_t n = a.hours.size();
      double median = n % 2 ? a.hours[n / 2] : (a.hours[n / 2 - 1] + a.hours[n / 2]) / 2;
      a.c.median_hours_to_first_answer = std::round(median * 10) / 10;
    }
    out.push_back(std::move(a.c));
  }
  return out;
}

std::string to_json(const std::vector<cell>& cells, dimension by, size_t k) {
  json::writer w;
  w.StartObject();
  w.member("by", to_string(by));
  w.member("k", k);
  w.objects("cells", cells, [&](const cell& c) {
    w.member("key", c.key);
    w.member("suppressed", c.suppressed);
    auto count = [&](const char* key, uint64_t v) {
      w.Key(key);
      if (c.suppressed) {
        w.Null();
      } else {
        w.Uint64(v);
      }
    };
    count("cases", c.cases);
    count("open", c.open);
    count("answered", c.answered);
    count("answered_on_time", c.answered_on_time);
    count("answered_late", c.answered_late);
    count("late_now", c.late_now);
    w.member("median_hours_to_first_answer", c.median_hours_to_first_answer);
  });
  w.EndObject();
  return w.str();
}

}  // namespace civic::gateway::open
