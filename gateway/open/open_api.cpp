#include "gateway/open/open_api.hpp"

#include <algorithm>
#include <charconv>

#include "common/crypto/hmac.hpp"
#include "common/envelope/envelope.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/error/errc.hpp"
#include "common/responses/case_status.hpp"
#include "common/text/comma_list.hpp"
#include "gateway/channels/support/form.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/open/statistics.hpp"

namespace civic::gateway::open {
namespace {

struct cases_query {
  size_t page = 1;
  size_t per_page = 100;
  std::string division, district, kind, status;
  std::optional<bool> answered;
  bool by_answer = false;  // sort=answered: latest first answer first
};

// A refusal naming the query parameter at fault.
http::response bad_parameter(errc e, std::string_view name, std::string_view why) {
  return http::problem(e, std::string(name) + " " + std::string(why),
                       "/query/" + std::string(name));
}

// A division or district id as a filter: what a case can carry (no control
// characters, at most 64 bytes; the form decoding already made it UTF-8), so
// that a mistyped or hostile value is told apart from one that matches nothing.
constexpr size_t max_filter_bytes = 64;
bool filter_id(std::string_view v) {
  return v.size() <= max_filter_bytes && envelope::is_identifier(v);
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<size_t> positive(std::string_view text, size_t max) {
  size_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0 || v > max) {
    return std::nullopt;
  }
  return v;
}

bool matches(const public_case& c, const cases_query& q) {
  if (!q.division.empty() &&
      std::find(c.divisions.begin(), c.divisions.end(), q.division) == c.divisions.end()) {
    return false;
  }
  if (!q.district.empty() && c.district.value_or("citywide") != q.district) return false;
  if (!q.kind.empty() && c.kind != q.kind) return false;
  if (!q.status.empty() && c.status != q.status && c.open311_status != q.status) return false;
  if (q.answered && c.answered_ms.has_value() != *q.answered) return false;
  return true;
}

std::string etag_of(std::string_view body) {
  auto digest = crypto::sha256(body);
  return "\"" + crypto::to_hex(digest.data(), 12) + "\"";
}

bool none_match(const http::request& req, const std::string& etag) {
  auto header = req.header ? req.header("If-None-Match") : std::nullopt;
  if (!header) return false;
  bool matched = false;
  text::for_each_comma_item(*header, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison (RFC 9110 §13.1.2)
    matched = matched || tag == "*" || tag == etag;
  });
  return matched;
}

}  // namespace

open_api::open_api(open_settings s, const catalog& cases,
                   std::optional<subscribe::static_files> page, clock_function now)
    : settings_(std::move(s)),
      cases_(cases),
      page_(std::move(page)),
      now_(now ? std::move(now)
               : [] {
                   return std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                       .count();
                 }),
      limiter_(channels::rate{}, settings_.client_rate) {}

bool open_api::admit(const http::request& req) {
  return limiter_.allow("open", req.client_address);
}

http::response open_api::cacheable(const http::request& req, std::string body) const {
  std::string etag = etag_of(body);
  http::response res = none_match(req, etag) ? http::answer(304, "application/json", "")
                                             : http::json(200, std::move(body));
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control",
                           "public, max-age=" + std::to_string(settings_.max_age.count()));
  res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return res;
}

http::response open_api::cases(const http::request& req) const {
  cases_query q;
  q.per_page = std::min<size_t>(100, settings_.max_page_size);
  std::vector<std::string> seen;  // at most the eight parameters: an unknown one is refused
  for (const auto& [name, value] : channels::parse_form_pairs(req.query)) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return bad_parameter(errc::duplicate_field, name, "is given more than once");
    }
    seen.push_back(name);
    if (name == "page") {
      auto v = positive(value, 1'000'000);
      if (!v) return bad_parameter(errc::invalid_value, name, "must be a page number from 1");
      q.page = *v;
    } else if (name == "per_page") {
      auto v = positive(value, settings_.max_page_size);
      if (!v) {
        const auto range = "from 1 to " + std::to_string(settings_.max_page_size);
        if (!all_digits(value)) {
          return bad_parameter(errc::invalid_value, name, "must be a whole number " + range);
        }
        return bad_parameter(errc::out_of_range, name, "must be " + range);
      }
      q.per_page = *v;
    } else if (value.empty() &&
               (name == "division" || name == "district" || name == "kind" || name == "status")) {
      continue;  // an empty filter (as an HTML form sends it) filters nothing
    } else if (name == "division" || name == "district") {
      if (!filter_id(value)) {
        return bad_parameter(errc::invalid_value, name,
                             "must be an id (at most 64 bytes, no control characters)");
      }
      (name == "division" ? q.division : q.district) = value;
    } else if (name == "kind") {
      if (!envelope::parse_kind(value)) {
        return bad_parameter(errc::invalid_value, name,
                             "must be complaint, idea, praise or question");
      }
      q.kind = value;
    } else if (name == "status") {
      if (value != "open" && value != "closed" && !responses::parse_status(value)) {
        return bad_parameter(errc::invalid_value, name,
                             "must be open or closed (Open311), or a lifecycle status (received, "
                             "assigned, in_progress, fixed, answered, closed, ...)");
      }
      q.status = value;
    } else if (name == "answered") {
      if (value != "true" && value != "false") {
        return bad_parameter(errc::invalid_value, name, "must be true or false");
      }
      q.answered = value == "true";
    } else if (name == "sort") {
      if (value != "opened" && value != "answered") {
        return bad_parameter(errc::invalid_value, name, "must be opened or answered");
      }
      q.by_answer = value == "answered";
    } else {
      return bad_parameter(errc::unknown_field, name,
                           "is not a parameter (page, per_page, division, district, kind, "
                           "status, answered, sort)");
    }
  }
  auto all = cases_.snapshot();
  std::vector<const public_case*> shown;
  for (const auto& c : *all) {
    if (matches(c, q)) shown.push_back(&c);
  }
  if (q.by_answer) {
    std::stable_sort(shown.begin(), shown.end(), [](const public_case* a, const public_case* b) {
      return a->answered_ms.value_or(0) > b->answered_ms.value_or(0);
    });
  }
  int64_t now = now_();
  std::string body = "{\"items\":[";
  size_t first = (q.page - 1) * q.per_page;
  for (size_t i = first; i < shown.size() && i < first + q.per_page; ++i) {
    if (i > first) body += ',';
    body += to_json(*shown[i], now);
  }
  body += "],\"page\":" + std::to_string(q.page) + ",\"per_page\":" + std::to_string(q.per_page) +
          ",\"total\":" + std::to_string(shown.size()) + ",\"next_page\":" +
          (first + q.per_page < shown.size() ? std::to_string(q.page + 1) : "null") + "}";
  return cacheable(req, std::move(body));
}

http::response open_api::one_case(const http::request& req, std::string_view public_id) const {
  auto c = cases_.find(public_id);
  if (!c) return http::problem(errc::not_found, "no public case with this id");
  return cacheable(req, to_json(*c, now_()));
}

http::response open_api::stats(const http::request& req, std::string_view by) const {
  auto d = parse_dimension(by);
  if (!d)
    return http::problem(errc::not_found, "statistics are by division, district, kind or week");
  if (!req.query.empty()) {
    return http::problem(errc::unknown_field, "statistics take no parameters", "/query");
  }
  auto all = cases_.snapshot();
  auto cells = aggregate(*all, *d, {settings_.k, settings_.utc_offset_minutes}, now_());
  return cacheable(req, to_json(cells, *d, settings_.k));
}

http::response open_api::page_file(const http::request& req, std::string_view path) const {
  const auto* file = page_ ? page_->find(path) : nullptr;
  if (!file) return http::problem(errc::not_found, "no such file");
  auto res = cacheable(req, file->body);
  if (res.status == 200) res.content_type = file->content_type;
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "frame-ancestors 'none'");
  return res;
}

void add_routes(http::routes& r, open_api& api) {
  auto guarded = [&api](auto handle) {
    return [&api, handle](const http::request& req, http::responder answer) {
      if (!api.admit(req)) {
        return answer(http::problem(errc::rate_limited,
                                    "over open.rate_per_second for this address; come back later"));
      }
      answer(handle(req));
    };
  };
  r.add("GET", "/open/v1/cases",
        guarded([&api](const http::request& req) { return api.cases(req); }));
  r.add("GET", "/open/v1/cases/{id}", guarded([&api](const http::request& req) {
          return api.one_case(req, req.params.get("id"));
        }));
  r.add("GET", "/open/v1/stats/{by}",
        guarded([&api](const http::request& req) { return api.stats(req, req.params.get("by")); }));
  r.add("GET", "/open", [](const http::request&, http::responder answer) {
    auto res = http::answer(301, "text/plain", "see /open/");
    res.headers.emplace_back("Location", "/open/");
    answer(std::move(res));
  });
  r.add("GET", "/open/*", guarded([&api](const http::request& req) {
          return api.page_file(req, req.params.rest());
        }));
}

}  // namespace civic::gateway::open
