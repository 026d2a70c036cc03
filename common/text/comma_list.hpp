#pragma once
// A comma-separated list (a setting, a Kafka header, an HTTP header's list) as its
// items, read the way RFC 9110 §5.6.1 reads a list: blanks around an item are not
// part of it, and empty items do not count.

#include <string>
#include <string_view>
#include <vector>

#include "common/text/trim.hpp"

namespace civic::text {

// Calls f with each item in order: " a ,, b," gives "a" and "b".
template <typename F>
void for_each_comma_item(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

// The items in order: "a, ,b," is {"a", "b"}.
inline std::vector<std::string> comma_list(std::string_view text) {
  std::vector<std::string> out;
  for_each_comma_item(text, [&](std::string_view item) { out.emplace_back(item); });
  return out;
}

// Whether one of the items is exactly `wanted`.
inline bool comma_list_has(std::string_view text, std::string_view wanted) {
  bool found = false;
  for_each_comma_item(text, [&](std::string_view item) { found = found || item == wanted; });
  return found;
}

}  // namespace civic::text
