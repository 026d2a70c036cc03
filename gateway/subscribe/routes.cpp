#include "gateway/subscribe/routes.hpp"

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/subscribe/service.hpp"

namespace civic::gateway::subscribe {

void add_routes(http::routes& r, const service& s) {
  // The upgrade itself is taken before routing (the HTTP session's hook); a plain
  // GET learns what the endpoint is instead of a 404.
  r.add("GET", "/v1/subscribe", [](const http::request&, http::responder answer) {
    answer(http::problem(errc::upgrade_required, "this is a WebSocket endpoint; upgrade here"));
  });
  r.add("GET", "/dashboard", [](const http::request&, http::responder answer) {
    auto res = http::answer(301, "text/plain", "see /dashboard/");
    res.headers.emplace_back("Location", "/dashboard/");
    answer(std::move(res));
  });
  r.add("GET", "/dashboard/*", [&s](const http::request& req, http::responder answer) {
    const auto* file = s.dashboard().find(req.params.rest());
    if (!file) return answer(http::problem(errc::not_found, "no such file"));
    auto res = http::answer(200, file->content_type, file->body);
    // The dashboard loads nothing from anywhere but this gateway.
    res.headers.emplace_back("Cache-Control", "no-cache");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' "
                             "data:; style-src 'self'; frame-ancestors 'none'");
    answer(std::move(res));
  });
}

}  // namespace civic::gateway::subscribe
