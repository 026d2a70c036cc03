#pragma once
// The gateway's routing table: what the HTTP session consults for every
// request. The session itself only parses, routes and writes.
//
// Adding a route (e.g. gateway/answers/ serving /v1/cases/{id}/updates):
//   1. In the module, write a handler, `void(const http::request&, http::responder)`,
//      or for WebSocket an http::ws_factory (gateway/http/websocket.hpp), and a
//      function that registers it:
//        void add_routes(http::routes& r, deps&...) {
//          r.add("POST", "/v1/cases/{id}/updates", [&](const http::request& req, http::responder
//          answer) {
//            std::string_view id = req.params.get("id");
//            ...
//            answer(http::json(200, body));                 // or, for any error:
//            answer(http::problem(errc::forbidden, "no grant for division roads"));
//          });
//        }
//   2. Call it from gateway/main.cpp, where the routes are wired.
//   Patterns are literal segments, {name} for one segment, and a final "*" for
//   the rest of the path. A request whose path matches but whose method does
//   not is answered 405 with Allow; no match is 404; a WebSocket route asked
//   without an upgrade is 426. Handlers are unit-tested without Beast: build a
//   request, pass a responder over a test sink (tests/unit/gateway/http/).
//
// Adding an error: a value in civic::errc (common/error/errc.hpp) and its row
// in common/error/errc.cpp (name, HTTP status, retryable, WebSocket close code,
// title). http::problem() (gateway/http/problem.hpp) turns any error into its
// answer; nack frames and metric labels take the same name. Never write a
// status or a code string at a call site.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/message.hpp"
#include "gateway/http/websocket.hpp"

namespace civic::gateway::http {

class routes {
 public:
  // `method` is "GET", "POST", ...; a pattern may have routes for several methods.
  void add(std::string_view method, std::string_view pattern, handler h);
  void add_websocket(std::string_view pattern, ws_factory f);

  struct match {
    const handler* http = nullptr;          // call this,
    const ws_factory* websocket = nullptr;  // or upgrade with this,
    std::optional<response> refusal;        // or answer this (404, 405, 426)
    route_params params;
  };
  // `path` is the request target without its query; views in the result point
  // into it.
  match find(std::string_view method, std::string_view path, bool upgrade) const;

 private:
  struct entry {
    std::string method;  // empty for a WebSocket route
    std::vector<std::string> segments;
    bool rest = false;  // the pattern ends in "*"
    handler http;
    ws_factory websocket;
  };
  static entry parse(std::string_view pattern);
  static bool matches(const entry& e, std::string_view path, route_params& params);

  std::vector<entry> entries_;
};

}  // namespace civic::gateway::http
