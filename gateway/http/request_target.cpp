#include "gateway/http/request_target.hpp"

#include <cctype>

namespace civic::gateway::http {
namespace {

bool starts_with_scheme(std::string_view target, std::string_view scheme) {
  if (target.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(target[i])) != scheme[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view origin_form(std::string_view target) {
  std::size_t authority = 0;
  if (starts_with_scheme(target, "http://")) {
    authority = 7;
  } else if (starts_with_scheme(target, "https://")) {
    authority = 8;
  } else {
    return target;
  }
  std::size_t path = target.find_first_of("/?", authority);
  if (path == std::string_view::npos) return "/";
  if (target[path] == '?') return target.substr(path);  // no path: routed as no resource
  return target.substr(path);
}

}  // namespace civic::gateway::http
