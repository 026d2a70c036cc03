#include "gateway/http/routes.hpp"

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::http {

routes::entry routes::parse(std::string_view pattern) {
  entry e;
  std::string_view rest = pattern;
  while (!rest.empty()) {
    if (rest.front() == '/') rest.remove_prefix(1);
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (segment == "*") {
      e.rest = true;
      break;
    }
    e.segments.emplace_back(segment);
  }
  return e;
}

bool routes::matches(const entry& e, std::string_view path, route_params& params) {
  std::string_view rest = path;
  for (const auto& segment : e.segments) {
    if (!rest.starts_with('/')) return false;
    rest.remove_prefix(1);
    size_t slash = rest.find('/');
    std::string_view got = rest.substr(0, slash);
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      if (got.empty()) return false;
      params.add(std::string_view(segment).substr(1, segment.size() - 2), got);
    } else if (got != segment) {
      return false;
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (e.rest) {
    params.set_rest(rest);
    return true;
  }
  return rest.empty();
}

void routes::add(std::string_view method, std::string_view pattern, handler h) {
  entry e = parse(pattern);
  e.method = std::string(method);
  e.http = std::move(h);
  entries_.push_back(std::move(e));
}

void routes::add_websocket(std::string_view pattern, ws_factory f) {
  entry e = parse(pattern);
  e.websocket = std::move(f);
  entries_.push_back(std::move(e));
}

routes::match routes::find(std::string_view method, std::string_view path, bool upgrade) const {
  match found;
  std::string allowed;
  bool websocket_path = false;
  for (const auto& e : entries_) {
    route_params params;
    if (!matches(e, path, params)) continue;
    if (e.websocket) {
      websocket_path = true;
      if (upgrade && method == "GET") {
        found.websocket = &e.websocket;
        found.params = std::move(params);
        return found;
      }
      continue;
    }
    if (upgrade) continue;
    // HEAD is GET without the body (RFC 9110 §9.3.2); the session drops the body.
    if (e.method == method || (method == "HEAD" && e.method == "GET")) {
      found.http = &e.http;
      found.params = std::move(params);
      return found;
    }
    allowed += (allowed.empty() ? "" : ", ") + e.method;
    if (e.method == "GET") allowed += ", HEAD";
  }
  if (websocket_path && !upgrade) {
    found.refusal = problem(errc::upgrade_required, "this is a WebSocket endpoint; upgrade here");
    found.refusal->headers.emplace_back("Upgrade", "websocket");
  } else if (!allowed.empty()) {
    found.refusal = problem(errc::method_not_allowed, "use " + allowed);
    found.refusal->headers.emplace_back("Allow", allowed);
  } else {
    found.refusal = problem(errc::not_found,
                            upgrade ? "no WebSocket endpoint at this path" : "no such resource");
  }
  return found;
}

}  // namespace civic::gateway::http
