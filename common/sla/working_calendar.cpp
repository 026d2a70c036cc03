#include "common/sla/working_calendar.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

namespace civic::sla {
namespace {

constexpr int64_t minute_ms = 60'000;
constexpr int64_t day_ms = 24 * 60 * minute_ms;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool two_digits(std::string_view s, size_t pos, int& out) {
  if (pos + 2 > s.size() || s[pos] < '0' || s[pos] > '9' || s[pos + 1] < '0' || s[pos + 1] > '9')
    return false;
  out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}

}  // namespace

int64_t working_calendar::local_day(int64_t utc_ms) const {
  return floor_div(utc_ms + utc_offset_minutes * minute_ms, day_ms);
}

bool working_calendar::is_working_day(int64_t day) const {
  // 1970-01-01 was a Thursday: weekday 0 = Sunday.
  int64_t weekday = ((day + 4) % 7 + 7) % 7;
  if (weekday == 6 && saturday_off) return false;
  if (weekday == 0 && sunday_off) return false;
  return !holidays.contains(day);
}

int64_t working_calendar::add_working_days(int64_t from_ms, int days) const {
  int64_t day = local_day(from_ms);
  int counted = 0;
  // A calendar of only holidays would loop forever: a year of searching is the bound.
  for (int guard = 0; guard < 3660; ++day, ++guard) {
    if (!is_working_day(day)) continue;
    if (++counted >= days) break;
  }
  int end_minutes = periods.empty() ? 24 * 60 : periods.back().end;
  return day * day_ms + end_minutes * minute_ms - utc_offset_minutes * minute_ms;
}

int64_t working_calendar::add_working_minutes(int64_t from_ms, int64_t minutes) const {
  int64_t left_ms = minutes * minute_ms;
  int64_t offset_ms = utc_offset_minutes * minute_ms;
  int64_t day = local_day(from_ms);
  int64_t now = from_ms;
  for (int guard = 0; guard < 3660; ++day, ++guard) {
    if (!is_working_day(day)) continue;
    for (const auto& p : periods) {
      int64_t begin = day * day_ms + p.begin * minute_ms - offset_ms;
      int64_t end = day * day_ms + p.end * minute_ms - offset_ms;
      if (end <= now) continue;
      int64_t start = std::max(begin, now);
      if (end - start >= left_ms) return start + left_ms;
      left_ms -= end - start;
      now = end;
    }
  }
  return now;
}

std::optional<int64_t> parse_day(std::string_view text) {
  using namespace std::chrono;
  int c = 0, y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !two_digits(text, 0, c) ||
      !two_digits(text, 2, y) || !two_digits(text, 5, m) || !two_digits(text, 8, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year(c * 100 + y), month(static_cast<unsigned>(m)),
                     std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

expected<std::vector<working_period>, std::string> parse_periods(std::string_view text) {
  std::vector<working_period> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    int bh = 0, bm = 0, eh = 0, em = 0;
    if (part.size() != 11 || part[2] != ':' || part[5] != '-' || part[8] != ':' ||
        !two_digits(part, 0, bh) || !two_digits(part, 3, bm) || !two_digits(part, 6, eh) ||
        !two_digits(part, 9, em) || bh > 24 || eh > 24 || bm > 59 || em > 59) {
      return unexpected("'" + std::string(part) + "' is not HH:MM-HH:MM");
    }
    working_period p{bh * 60 + bm, eh * 60 + em};
    if (p.end <= p.begin || p.end > 24 * 60 || (!out.empty() && p.begin < out.back().end)) {
      return unexpected("'" + std::string(part) +
                        "' must end after it begins and after the one before");
    }
    out.push_back(p);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty()) return unexpected(std::string("no working period"));
  return out;
}

expected<std::set<int64_t>, std::string> parse_holidays(std::string_view text) {
  std::set<int64_t> out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.empty()) continue;
    auto day = parse_day(line.substr(0, 10));
    if (!day || (line.size() > 10 && line[10] != ' ' && line[10] != '\t')) {
      return unexpected("line " + std::to_string(line_no) + ": not \"YYYY-MM-DD name\"");
    }
    out.insert(*day);
  }
  return out;
}

expected<std::set<int64_t>, std::string> load_holidays(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(path + ": cannot be read");
  std::stringstream content;
  content << in.rdbuf();
  auto parsed = parse_holidays(content.str());
  if (!parsed) return unexpected(path + ": " + parsed.error());
  return parsed;
}

}  // namespace civic::sla
