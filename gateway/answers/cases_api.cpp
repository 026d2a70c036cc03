#include "gateway/answers/cases_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error/errc.hpp"
#include "common/metrics/prometheus_text.hpp"
#include "common/responses/response.hpp"
#include "common/time/rfc3339.hpp"
#include "gateway/answers/open311_status.hpp"
#include "gateway/answers/support_reply.hpp"
#include "gateway/channels/support/form.hpp"
#include "gateway/ingest/normalize.hpp"
#include "gateway/server/responses.hpp"

namespace civic::gateway::answers {
namespace {

constexpr std::string_view cases_prefix = "/v1/cases/";
constexpr std::string_view open311_requests = "/open311/v2/requests";
constexpr std::string_view open311_updates = "/open311/v2/servicerequestupdates.json";

channels::response problem(unsigned status, std::error_code code, std::string_view detail,
                           std::string_view pointer = {}, bool retry = false) {
  return {status, "application/problem+json",
          server::problem_body(status, code, detail, pointer, "", retry), retry};
}

channels::response problem(const api_error& e) {
  return problem(e.status, e.error.code, e.error.message, e.error.pointer);
}

channels::response open311_error(unsigned status, std::string_view description) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  w.StartObject();
  w.Key("code");
  w.Uint(status);
  w.Key("description");
  w.String(description.data(), static_cast<rapidjson::SizeType>(description.size()));
  w.EndObject();
  w.EndArray();
  return {status, "application/json", {buffer.GetString(), buffer.GetSize()}, status == 503};
}

bool json_content(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != 16) return false;
  std::string lower(base);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

// "/v1/cases/{id}/updates" -> {id, "updates"}
std::optional<std::pair<std::string, std::string_view>> case_path(std::string_view path) {
  if (!path.starts_with(cases_prefix)) return std::nullopt;
  std::string_view rest = path.substr(cases_prefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string_view action = rest.substr(slash + 1);
  if (action != "updates" && action != "support") return std::nullopt;
  return std::make_pair(std::string(rest.substr(0, slash)), action);
}

}  // namespace

cases_api::cases_api(cases_api_settings settings, const case_directory& directory,
                     ingest::publisher& publisher, const auth::jwt_verifier* verifier,
                     std::optional<channels::open311_ids> open311)
    : settings_(std::move(settings)),
      directory_(directory),
      publisher_(publisher),
      verifier_(verifier),
      open311_(std::move(open311)),
      cache_(std::make_shared<idempotency_cache>(settings_.idempotency_entries)) {}

bool cases_api::serves(std::string_view method, std::string_view path) const {
  if (path.starts_with(cases_prefix)) return true;
  if (!open311_ || method != "GET") return false;
  return path == open311_updates || path == "/open311/v2/requests.json" ||
         (path.starts_with("/open311/v2/requests/") && path.ends_with(".json"));
}

void cases_api::handle(const channels::request& req, std::function<void(channels::response)> done) {
  if (!req.path.starts_with(cases_prefix)) return done(open311_lookup(req));
  auto target = case_path(req.path);
  if (!target) {
    return done(problem(404, make_error_code(errc::invalid_value),
                        "no such resource: POST /v1/cases/{id}/updates or /v1/cases/{id}/support"));
  }
  if (req.method != "POST") {
    return done(problem(405, make_error_code(errc::invalid_value), "use POST"));
  }
  if (!json_content(req.content_type)) {
    return done(problem(415, make_error_code(errc::invalid_value), "send application/json"));
  }
  if (target->second == "updates") return update(std::move(target->first), req, std::move(done));
  support(std::move(target->first), req, std::move(done));
}

expected<auth::claims, channels::response> cases_api::authenticate(
    const channels::request& req) const {
  if (!verifier_) {
    return unexpected(problem(503, make_error_code(errc::unavailable),
                              "no token key is configured (auth.jwt.*): the API is off"));
  }
  auto header = req.header("Authorization");
  if (!header || !header->starts_with("Bearer ") || header->size() <= 7) {
    return unexpected(
        problem(401, make_error_code(errc::unauthenticated), "send Authorization: Bearer <token>"));
  }
  auto claims = verifier_->verify(header->substr(7), req.now);
  if (!claims) return unexpected(problem(401, claims.error().code, claims.error().detail));
  return std::move(*claims);
}

std::optional<channels::response> cases_api::find_case(const std::string& id,
                                                       std::optional<case_summary>& out) const {
  out = directory_.find(id);
  if (out) return std::nullopt;
  if (!directory_.caught_up()) {
    return problem(503, make_error_code(errc::unavailable),
                   "the gateway is still reading the cases; send again shortly", "", true);
  }
  return problem(404, make_error_code(errc::invalid_value), "no such case: " + id);
}

void cases_api::update(std::string case_id, const channels::request& req,
                       std::function<void(channels::response)> done) {
  auto who = authenticate(req);
  if (!who) {
    ++updates_[refused];
    return done(std::move(who).error());
  }
  auto key = req.header("Idempotency-Key");
  if (auto bad = check_idempotency_key(key)) {
    ++updates_[refused];
    return done(problem(*bad));
  }
  std::optional<case_summary> c;
  if (auto missing = find_case(case_id, c)) {
    ++updates_[missing->status == 503 ? unavailable : refused];
    return done(std::move(*missing));
  }
  auto request = parse_update_request(req.body);
  if (!request) {
    ++updates_[refused];
    return done(problem(request.error()));
  }
  std::string cache_key = update_cache_key(who->sub, case_id, *key);
  std::string hash = request_hash(req.body);
  if (auto first = cache_->find(cache_key)) {
    if (first->request_hash != hash) {
      ++updates_[refused];
      return done(problem(422, make_error_code(errc::invalid_value),
                          "this Idempotency-Key was used for another request"));
    }
    ++updates_[repeated];
    return done({first->status, "application/json", first->body, false});
  }
  auto r = make_update(*c, *who, *request, *key, settings_.author_key, req.now);
  if (!r) {
    ++updates_[refused];
    return done(problem(r.error()));
  }
  kafka::record rec{settings_.responses_topic,
                    r->case_id,
                    responses::to_json(*r),
                    {{"content-type", "application/json"}},
                    -1};
  auto summary = *c;
  auto stored = [this, r = *r, summary, cache_key, hash, done,
                 cache = cache_](const kafka::delivery_report& report) {
    if (report.error) {
      ++updates_[unavailable];
      return done(problem(503, make_error_code(errc::unavailable),
                          "the update could not be stored now; send it again", "", true));
    }
    std::string body = update_accepted_json(r, summary, report.partition, report.offset);
    cache->put(cache_key, {hash, 202, body});
    ++updates_[accepted];
    done({202, "application/json", std::move(body), false});
  };
  if (auto refused_now = publisher_.publish_record(std::move(rec), stored)) {
    ++updates_[unavailable];
    done(problem(refused_now == errc::overloaded ? 429 : 503, refused_now,
                 "Kafka cannot take the update now; send it again", "", true));
  }
}

void cases_api::support(std::string case_id, const channels::request& req,
                        std::function<void(channels::response)> done) {
  auto who = authenticate(req);
  if (!who) {
    ++supports_[refused];
    return done(std::move(who).error());
  }
  if (!who->grants_channel("web")) {
    ++supports_[refused];
    return done(problem(403, make_error_code(errc::forbidden),
                        "support comes from the website: the token must grant channel web"));
  }
  std::optional<case_summary> c;
  if (auto missing = find_case(case_id, c)) {
    ++supports_[missing->status == 503 ? unavailable : refused];
    return done(std::move(*missing));
  }
  auto body = parse_support_request(req.body);
  if (!body) {
    ++supports_[refused];
    return done(problem(body.error()));
  }
  auto r =
      make_support(*c, ingest::pseudonymous_author(settings_.author_key, "web", body->supporter),
                   "web", req.now);
  kafka::record rec{settings_.responses_topic,
                    r.case_id,
                    responses::to_json(r),
                    {{"content-type", "application/json"}},
                    -1};
  auto stored = [this, r, done](const kafka::delivery_report& report) {
    if (report.error) {
      ++supports_[unavailable];
      return done(problem(503, make_error_code(errc::unavailable),
                          "the support could not be stored now; send it again", "", true));
    }
    ++supports_[accepted];
    done({202, "application/json", support_accepted_json(r, report.partition, report.offset),
          false});
  };
  if (auto refused_now = publisher_.publish_record(std::move(rec), stored)) {
    ++supports_[unavailable];
    done(problem(refused_now == errc::overloaded ? 429 : 503, refused_now,
                 "Kafka cannot take the support now; send it again", "", true));
  }
}

channels::response cases_api::open311_lookup(const channels::request& req) const {
  if (req.path == open311_updates) {
    auto fields = channels::parse_form(req.query);
    if (!fields) return open311_error(400, "the query string is not urlencoded");
    auto time_of = [&](const char* name)
        -> expected<std::optional<std::chrono::system_clock::time_point>, std::string> {
      auto found = fields->find(name);
      if (found == fields->end() || found->second.empty()) {
        return std::optional<std::chrono::system_clock::time_point>();
      }
      auto t = parse_rfc3339(found->second);
      if (!t) return unexpected(std::string(name) + " must be a W3C (RFC 3339) date-time");
      return std::optional<std::chrono::system_clock::time_point>(*t);
    };
    auto start = time_of("start_date");
    auto end = time_of("end_date");
    if (!start) return open311_error(400, start.error());
    if (!end) return open311_error(400, end.error());
    return {200, "application/json", updates_json(directory_.requests(), *start, *end, req.now),
            false};
  }
  if (req.path == "/open311/v2/requests.json") {
    auto q = parse_requests_query(req.query);
    if (!q) return open311_error(400, q.error());
    auto code_of = [this](std::string_view id) { return open311_->issued_service(id); };
    return {200, "application/json", requests_json(*q, directory_.requests(), code_of, req.now),
            false};
  }
  std::string_view id = req.path.substr(std::string_view("/open311/v2/requests/").size());
  id.remove_suffix(std::string_view(".json").size());
  auto code = open311_->issued_service(id);
  if (!code) return open311_error(404, "service_request_id not found");
  open311_view view{std::string(id), *code, directory_.find_by_request(std::string(id)), ""};
  if (view.case_state) {
    for (const auto& r : view.case_state->requests) {
      if (r.id == id) view.requested_at = r.requested_at;
    }
  }
  return {200, "application/json", "[" + request_json(view) + "]", false};
}

std::optional<kafka::record> cases_api::support_from_reply(const envelope::message& m) {
  if (!m.author_id) return std::nullopt;  // an anonymous "+1" cannot be counted once
  auto ref = support_reference(m.text);
  if (!ref) return std::nullopt;
  auto found = directory_.find_by_reference(*ref);
  if (found.size() != 1) return std::nullopt;  // unknown or ambiguous: an ordinary message
  auto r = make_support(found.front(), *m.author_id, m.channel, std::chrono::system_clock::now());
  ++support_replies_;
  return kafka::record{settings_.responses_topic,
                       r.case_id,
                       responses::to_json(r),
                       {{"content-type", "application/json"}},
                       -1};
}

std::string cases_api::render_metrics() const {
  metrics::text_writer w;
  static constexpr std::array<std::string_view, count> names{"accepted", "repeated", "refused",
                                                             "unavailable"};
  w.family("gateway_case_updates_total", "counter",
           "POST /v1/cases/{id}/updates by outcome (repeated: a known Idempotency-Key).");
  for (size_t i = 0; i < count; ++i) {
    w.sample("gateway_case_updates_total", {{"outcome", names[i]}},
             static_cast<double>(updates_[i].load()));
  }
  w.family("gateway_case_support_total", "counter", "POST /v1/cases/{id}/support by outcome.");
  for (size_t i = 0; i < count; ++i) {
    w.sample("gateway_case_support_total", {{"outcome", names[i]}},
             static_cast<double>(supports_[i].load()));
  }
  w.family("gateway_support_replies_total", "counter",
           "Messages that were support replies (\"공감 <reference>\") stored as support.");
  w.sample("gateway_support_replies_total", static_cast<double>(support_replies_.load()));
  w.family("gateway_case_directory_cases", "gauge", "Cases the gateway knows (feedback.cases).");
  w.sample("gateway_case_directory_cases", static_cast<double>(directory_.size()));
  return w.take();
}

}  // namespace civic::gateway::answers
