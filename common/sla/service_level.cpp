#include "common/sla/service_level.hpp"

#include <charconv>

namespace civic::sla {
namespace {

// Calls f(name, value) for each "name:value" of a comma list; false stops.
template <typename F>
std::optional<std::string> each_pair(std::string_view text, F f) {
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    size_t colon = part.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == part.size()) {
      return "'" + std::string(part) + "' is not name:value";
    }
    if (auto error = f(part.substr(0, colon), part.substr(colon + 1))) return error;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(limit_unit u) {
  return u == limit_unit::working_hours ? "working_hours" : "working_days";
}

int64_t due_ms(const working_calendar& calendar, const limit& allowed, int64_t opened_ms) {
  return allowed.unit == limit_unit::working_hours
             ? calendar.add_working_minutes(opened_ms, allowed.amount * 60)
             : calendar.add_working_days(opened_ms, static_cast<int>(allowed.amount));
}

std::optional<clock> start_clock(const policy& p, std::string_view kind, std::string_view urgency,
                                 int64_t opened_ms) {
  std::string_view class_name;
  if (urgency == "high" && !p.urgent_class.empty()) {
    class_name = p.urgent_class;
  } else if (auto k = p.kind_classes.find(kind); k != p.kind_classes.end()) {
    class_name = k->second;
  } else {
    return std::nullopt;
  }
  auto c = p.classes.find(class_name);
  if (c == p.classes.end()) return std::nullopt;
  return clock{std::string(class_name), c->second, due_ms(p.calendar, c->second, opened_ms)};
}

expected<std::map<std::string, limit, std::less<>>, std::string> parse_classes(
    std::string_view text) {
  std::map<std::string, limit, std::less<>> out;
  auto error = each_pair(text, [&](std::string_view name, std::string_view value) {
    limit l;
    char unit = value.back();
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size() - 1, l.amount);
    if ((unit != 'd' && unit != 'h') || ec != std::errc() ||
        end != value.data() + value.size() - 1 || l.amount <= 0 || l.amount > 365) {
      return std::optional<std::string>("'" + std::string(value) +
                                        "' is not a count of working days (7d) or hours (3h)");
    }
    l.unit = unit == 'h' ? limit_unit::working_hours : limit_unit::working_days;
    out[std::string(name)] = l;
    return std::optional<std::string>();
  });
  if (error) return unexpected(*error);
  return out;
}

expected<std::map<std::string, std::string, std::less<>>, std::string> parse_kind_classes(
    std::string_view text, const std::map<std::string, limit, std::less<>>& classes) {
  std::map<std::string, std::string, std::less<>> out;
  auto error = each_pair(text, [&](std::string_view kind, std::string_view name) {
    if (!classes.contains(name)) {
      return std::optional<std::string>("class '" + std::string(name) + "' has no limit");
    }
    out[std::string(kind)] = std::string(name);
    return std::optional<std::string>();
  });
  if (error) return unexpected(*error);
  return out;
}

}  // namespace civic::sla
