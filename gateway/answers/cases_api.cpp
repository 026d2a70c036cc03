#include "gateway/answers/cases_api.hpp"

#include "common/error/errc.hpp"
#include "common/json/writer.hpp"
#include "common/responses/response.hpp"
#include "common/time/rfc3339.hpp"
#include "gateway/answers/open311_status.hpp"
#include "gateway/answers/support_reply.hpp"
#include "gateway/auth/bridge_auth.hpp"
#include "gateway/channels/support/form.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/ingest/normalize.hpp"

namespace civic::gateway::answers {
namespace {

constexpr std::string_view open311_requests_prefix = "/open311/v2/requests/";

http::response problem(const api_error& e) { return http::problem(e.code, e.message, e.pointer); }

// Open311's error format, [{"code", "description"}], with the error's status.
http::response open311_error(std::error_code error, std::string_view description) {
  const error_traits& t = traits(error);
  json::writer w;
  w.StartArray();
  w.StartObject();
  w.member("code", t.http_status);
  w.member("description", description);
  w.EndObject();
  w.EndArray();
  http::response r = http::json(t.http_status, w.str());
  if (t.retryable) r.retry_after = http::retry_after_default;
  return r;
}

bool json_content(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  std::string_view base = content_type->substr(0, content_type->find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != 16) return false;
  std::string lower(base);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

// Kafka refused at once (unreachable, queue full).
http::response refused_now(std::error_code refused, std::string_view what) {
  return http::problem(refused, "Kafka cannot take the " + std::string(what) + " now; send again");
}

}  // namespace

cases_api::cases_api(cases_api_settings settings, const case_directory& directory,
                     ingest::publisher& publisher, const civic::auth::jwt_verifier* verifier,
                     const auth::bridge_authenticator& bridges,
                     std::optional<channels::open311_ids> open311)
    : settings_(std::move(settings)),
      directory_(directory),
      publisher_(publisher),
      verifier_(verifier),
      bridges_(bridges),
      open311_(std::move(open311)),
      cache_(std::make_shared<idempotency_cache>(settings_.idempotency_entries)) {}

expected<civic::auth::claims, http::response> cases_api::authenticate_json(
    const http::request& req) const {
  if (!json_content(req.header("Content-Type"))) {
    return unexpected(
        http::problem(make_error_code(errc::unsupported_media_type), "send application/json"));
  }
  if (!verifier_) {
    return unexpected(http::problem(make_error_code(errc::unavailable),
                                    "no token key is configured (auth.jwt.*): the API is off"));
  }
  auto header = req.header("Authorization");
  if (!header || !header->starts_with("Bearer ") || header->size() <= 7) {
    return unexpected(http::problem(make_error_code(errc::unauthenticated),
                                    "send Authorization: Bearer <token>"));
  }
  auto claims = verifier_->verify(header->substr(7), req.received);
  if (!claims) return unexpected(http::problem(claims.error().code, claims.error().detail));
  return std::move(*claims);
}

std::optional<http::response> cases_api::find_case(std::string_view id,
                                                   std::optional<case_summary>& out) const {
  out = directory_.find(std::string(id));
  if (out) return std::nullopt;
  if (!directory_.caught_up()) {
    return http::problem(make_error_code(errc::unavailable),
                         "the gateway is still reading the cases; send again shortly");
  }
  return http::problem(make_error_code(errc::not_found), "no such case");
}

void cases_api::update(const http::request& req, http::responder answer) {
  auto refuse = [&](http::response r) {
    ++updates_[r.retry_after ? unavailable : refused];
    answer(std::move(r));
  };
  auto who = authenticate_json(req);
  if (!who) return refuse(std::move(who).error());
  auto key = req.header("Idempotency-Key");
  if (auto bad = check_idempotency_key(key)) return refuse(problem(*bad));
  std::string case_id(req.params.get("id"));
  std::optional<case_summary> c;
  if (auto missing = find_case(case_id, c)) return refuse(std::move(*missing));
  auto request = parse_update_request(req.body);
  if (!request) return refuse(problem(request.error()));
  const division_list* divisions = settings_.divisions ? &*settings_.divisions : nullptr;
  if (auto unknown = check_assign_to(*request, divisions)) return refuse(problem(*unknown));
  auto r = make_update(*c, *who, *request, *key, settings_.author_key, req.received);
  if (!r) return refuse(problem(r.error()));
  std::string cache_key = update_cache_key(who->sub, case_id, *key);
  std::string hash = request_hash(req.body);
  // Repeats sent before the first is stored (a dashboard retrying, a double
  // click) wait for its answer rather than storing the update again.
  auto begun = cache_->begin(cache_key, hash, [this, answer](const auto& first) {
    if (!first) {
      ++updates_[unavailable];
      return answer(http::problem(make_error_code(errc::unavailable),
                                  "the first request with this Idempotency-Key was not stored; "
                                  "send it again"));
    }
    ++updates_[repeated];
    answer(http::json(first->status, first->body));
  });
  switch (begun.kind) {
    case idempotency_cache::start::other_body:
      return refuse(http::problem(make_error_code(errc::idempotency_key_reused),
                                  "this Idempotency-Key was used for another request"));
    case idempotency_cache::start::repeat:
      ++updates_[repeated];
      return answer(http::json(begun.done->status, begun.done->body));
    case idempotency_cache::start::waiting:
      return;  // answered with the first one's result
    case idempotency_cache::start::first:
      break;
  }
  kafka::record rec{settings_.responses_topic,
                    r->case_id,
                    responses::to_json(*r),
                    {{"content-type", "application/json"}},
                    -1};
  auto stored = [this, r = *r, summary = *c, cache_key, hash, answer,
                 cache = cache_](const kafka::delivery_report& report) {
    if (report.error) {
      cache->abandon(cache_key);
      ++updates_[unavailable];
      return answer(http::problem(report.error, "the update could not be stored; send it again"));
    }
    std::string body = update_accepted_json(r, summary, report.partition, report.offset);
    cache->finish(cache_key, {hash, 202, body});
    ++updates_[accepted];
    answer(http::json(202, std::move(body)));
  };
  if (auto refused_by_kafka = publisher_.publish_record(std::move(rec), stored)) {
    cache_->abandon(cache_key);
    refuse(refused_now(refused_by_kafka, "update"));
  }
}

void cases_api::support(const http::request& req, http::responder answer) {
  auto refuse = [&](http::response r) {
    ++supports_[r.retry_after ? unavailable : refused];
    answer(std::move(r));
  };
  if (!json_content(req.header("Content-Type"))) {
    return refuse(
        http::problem(make_error_code(errc::unsupported_media_type), "send application/json"));
  }
  // The website is a bridge: its credential must name channel web ("*" does
  // not grant a verified channel's namespace, as on /v1/messages).
  auto site = bridges_(req);
  if (!site) return refuse(std::move(site).error());
  if (!site->may_send_as("web")) {
    return refuse(http::problem(
        make_error_code(errc::forbidden),
        "support comes from the website: the bridge credential must grant channel web"));
  }
  std::optional<case_summary> c;
  if (auto missing = find_case(req.params.get("id"), c)) return refuse(std::move(*missing));
  auto body = parse_support_request(req.body);
  if (!body) return refuse(problem(body.error()));
  auto made =
      make_support(*c, ingest::pseudonymous_author(settings_.author_key, "web", body->supporter),
                   "web", req.received);
  if (!made) return refuse(problem(made.error()));
  responses::response r = std::move(*made);
  kafka::record rec{settings_.responses_topic,
                    r.case_id,
                    responses::to_json(r),
                    {{"content-type", "application/json"}},
                    -1};
  auto stored = [this, r, answer](const kafka::delivery_report& report) {
    if (report.error) {
      ++supports_[unavailable];
      return answer(http::problem(report.error, "the support could not be stored; send it again"));
    }
    ++supports_[accepted];
    answer(http::json(202, support_accepted_json(r, report.partition, report.offset)));
  };
  if (auto refused_by_kafka = publisher_.publish_record(std::move(rec), stored)) {
    refuse(refused_now(refused_by_kafka, "support"));
  }
}

std::optional<http::response> cases_api::open311_lookup(const http::request& req) const {
  if (!open311_) return std::nullopt;
  if (req.path == "/open311/v2/servicerequestupdates.json") {
    auto fields = channels::parse_form(req.query);
    std::optional<std::chrono::system_clock::time_point> bounds[2];
    const char* names[2] = {"start_date", "end_date"};
    for (int i = 0; i < 2; ++i) {
      auto found = fields.find(names[i]);
      if (found == fields.end() || found->second.empty()) continue;
      bounds[i] = parse_rfc3339(found->second);
      if (!bounds[i]) {
        return open311_error(make_error_code(errc::invalid_value),
                             std::string(names[i]) + " must be a W3C (RFC 3339) date-time");
      }
    }
    return http::json(200, updates_json(directory_.requests(), bounds[0], bounds[1], req.received));
  }
  if (req.path == "/open311/v2/requests.json") {
    auto q = parse_requests_query(req.query);
    if (!q) return open311_error(make_error_code(errc::invalid_value), q.error());
    auto code_of = [this](std::string_view id) { return open311_->issued_service(id); };
    return http::json(200, requests_json(*q, directory_.requests(), code_of, req.received));
  }
  if (!req.path.starts_with(open311_requests_prefix) || !req.path.ends_with(".json")) {
    return std::nullopt;
  }
  std::string_view id = req.path.substr(open311_requests_prefix.size());
  id.remove_suffix(std::string_view(".json").size());
  auto code = open311_->issued_service(id);
  if (!code) return open311_error(make_error_code(errc::not_found), "service_request_id not found");
  open311_view view{std::string(id), *code, directory_.find_by_request(std::string(id)), ""};
  if (view.case_state) {
    for (const auto& r : view.case_state->requests) {
      if (r.id == id) view.requested_at = r.requested_at;
    }
  }
  return http::json(200, "[" + request_json(view) + "]");
}

std::optional<kafka::record> cases_api::support_from_reply(const envelope::message& m) {
  if (!m.author_id) return std::nullopt;  // an anonymous "+1" cannot be counted once
  auto ref = support_reference(m.text);
  if (!ref) return std::nullopt;
  auto found = directory_.find_by_reference(*ref);
  if (found.size() != 1) return std::nullopt;  // unknown or ambiguous: an ordinary message
  // Not an idea: the citizen's "+1" on a complaint is kept as what it is, a
  // message about that issue (stored and routed like any report), never dropped.
  auto r = make_support(found.front(), *m.author_id, m.channel, std::chrono::system_clock::now());
  if (!r) {
    ++support_replies_kept_;
    return std::nullopt;
  }
  ++support_replies_;
  return kafka::record{settings_.responses_topic,
                       r->case_id,
                       responses::to_json(*r),
                       {{"content-type", "application/json"}},
                       -1};
}

void cases_api::write_metrics(metrics::text_writer& w) const {
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
  w.counter("gateway_support_replies_total",
            "Messages that were support replies (a support word and a case reference).",
            static_cast<double>(support_replies_.load()));
  w.counter("gateway_support_replies_kept_total",
            "Support replies for a case that is not an idea: kept as ordinary messages.",
            static_cast<double>(support_replies_kept_.load()));
  w.gauge("gateway_case_directory_cases", "Cases the gateway knows (feedback.cases).",
          static_cast<double>(directory_.size()));
}

void add_routes(http::routes& r, cases_api& api) {
  r.add("POST", "/v1/cases/{id}/updates",
        [&api](const http::request& req, http::responder answer) { api.update(req, answer); });
  r.add("POST", "/v1/cases/{id}/support",
        [&api](const http::request& req, http::responder answer) { api.support(req, answer); });
  if (!api.serves_open311()) return;
  auto lookup = [&api](const http::request& req, http::responder answer) {
    auto found = api.open311_lookup(req);
    answer(found ? std::move(*found)
                 : open311_error(make_error_code(errc::not_found), "no such resource"));
  };
  r.add("GET", "/open311/v2/requests.json", lookup);
  r.add("GET", "/open311/v2/requests/{file}", lookup);
  r.add("GET", "/open311/v2/servicerequestupdates.json", lookup);
}

}  // namespace civic::gateway::answers
