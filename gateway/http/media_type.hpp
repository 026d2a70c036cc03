#pragma once
// Content-Type comparison (RFC 9110 §8.3.1): the type and subtype, any case,
// parameters ignored.

#include <string_view>

namespace civic::gateway::http {

// `type` in lower case: has_media_type("Application/JSON; charset=utf-8", "application/json").
inline bool has_media_type(std::string_view content_type, std::string_view type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.remove_suffix(1);
  while (!base.empty() && (base.front() == ' ' || base.front() == '\t')) base.remove_prefix(1);
  if (base.size() != type.size()) return false;
  for (size_t i = 0; i < base.size(); ++i) {
    char c = base[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != type[i]) return false;
  }
  return true;
}

}  // namespace civic::gateway::http
