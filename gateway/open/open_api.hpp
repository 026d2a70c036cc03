#pragma once
// The public, read-only open-data API and page (routes added by add_routes):
//
//   GET /open/v1/cases             paged, filtered list of public cases
//   GET /open/v1/cases/{id}        one case by its public id
//   GET /open/v1/stats/{by}        counts and median time to first answer by
//                                  division, district, kind or week (k-anonymous)
//   GET /open/ and /open/*         the public page (static files)
//
// No token. Every answer carries an ETag (a hash of its body) and Cache-Control;
// If-None-Match with it answers 304. Each client address has a token bucket
// (the channels' rate_limiter); beyond it, 429 rate_limited. Errors are the one
// problem+json of gateway/http/problem.hpp.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "gateway/channels/rate_limiter.hpp"
#include "gateway/http/message.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/open/catalog.hpp"
#include "gateway/open/options.hpp"
#include "gateway/subscribe/static_files.hpp"

namespace civic::gateway::open {

class open_api {
 public:
  using clock_function = std::function<int64_t()>;  // Unix ms; the "late now" views only
  open_api(open_settings s, const catalog& cases, std::optional<subscribe::static_files> page,
           clock_function now = {});

  http::response cases(const http::request& req) const;
  http::response one_case(const http::request& req, std::string_view public_id) const;
  http::response stats(const http::request& req, std::string_view by) const;
  http::response page_file(const http::request& req, std::string_view path) const;

  // The bucket of the client's address; false: answer 429.
  bool admit(const http::request& req);

  const open_settings& settings() const { return settings_; }

 private:
  http::response cacheable(const http::request& req, std::string body) const;

  open_settings settings_;
  const catalog& cases_;
  std::optional<subscribe::static_files> page_;
  clock_function now_;
  channels::rate_limiter limiter_;
};

void add_routes(http::routes& r, open_api& api);

}  // namespace civic::gateway::open
