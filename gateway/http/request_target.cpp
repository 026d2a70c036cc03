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
  // "http://host?x" has no path: "?x" is routed as no resource.
  std::size_t path = target.find_first_of("/?", authority);
  return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
}

}  // namespace civic::gateway::http
