#pragma once
// Which divisions own a report and in which district it is: the shared
// classifier decides (consumers/classify), so dedup and the router agree. The
// deduplicator takes it as a function so its tests can give their own.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/dedup/geo.hpp"

namespace civic::dedup {

struct placement_input {
  std::string_view text;
  std::optional<std::string_view> address;
  std::optional<geo_point> point;
  std::string_view channel;
};

struct placement {
  std::vector<std::string> divisions;  // never empty: primary first ("triage" when nothing fits)
  // Every division the text gave real evidence for, strongest first (a superset
  // of divisions): the same issue worded differently often lands on different
  // top divisions (a flooded road: water or roads), so matching compares these.
  std::vector<std::string> related;
  std::optional<std::string> district;
  // For the dashboards: the rules' kind and urgency ("complaint", "normal", ...).
  std::string kind = "complaint";
  std::string urgency = "normal";
};

using placement_function = std::function<placement(const placement_input&)>;

}  // namespace civic::dedup
