#pragma once
// A comma-separated list (a setting, a Kafka header) as its items.

#include <string>
#include <string_view>
#include <vector>

namespace civic::text {

// The items in order, without empty ones: "a,,b," is {"a", "b"}. Nothing is trimmed.
inline std::vector<std::string> comma_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace civic::text
