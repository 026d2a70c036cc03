#include "gateway/answers/open311_status.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/json/writer.hpp"
#include "common/time/rfc3339.hpp"
#include "gateway/channels/support/form.hpp"

namespace civic::gateway::answers {
namespace {

using writer = json::writer;

void write_request(writer& w, const open311_view& v) {
  w.StartObject();
  w.member("service_request_id", v.service_request_id);
  if (!v.case_state) {
    w.member("status", "open");
    w.member("status_notes", "");
    w.member("service_code", v.service_code);
    w.key("agency_responsible").Null();
    w.member("service_notice", "Received; the responsible division will follow up.");
    w.nonempty("requested_datetime", v.requested_at);
    w.nonempty("updated_datetime", v.requested_at);
    w.key("expected_datetime").Null();
    w.EndObject();
    return;
  }
  const case_summary& c = *v.case_state;
  w.member("status", responses::open311_status(c.status));
  w.member("status_notes", c.answer);
  w.member("service_code", v.service_code);
  w.member("agency_responsible", c.divisions.empty() ? std::string() : c.divisions.front());
  w.member("service_notice", "");
  w.nonempty("requested_datetime", v.requested_at);
  w.nonempty("updated_datetime", c.updated_at.empty() ? v.requested_at : c.updated_at);
  w.nonempty("expected_datetime", c.expected_at.value_or(""));
  w.EndObject();
}

std::optional<std::chrono::system_clock::time_point> time_of(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339);
}

}  // namespace

std::string request_json(const open311_view& v) {
  json::writer w;
  write_request(w, v);
  return w.str();
}

expected<requests_query, std::string> parse_requests_query(std::string_view query) {
  requests_query q;
  auto fields = channels::parse_form(query);
  auto get = [&](const char* name) -> std::string {
    auto found = fields.find(name);
    return found == fields.end() ? std::string() : found->second;
  };
  std::stringstream ids(get("service_request_id"));
  for (std::string id; std::getline(ids, id, ',');) {
    if (!id.empty()) q.ids.push_back(id);
  }
  q.service_code = get("service_code");
  q.status = get("status");
  if (!q.status.empty() && q.status != "open" && q.status != "closed") {
    return unexpected(std::string("status must be open or closed"));
  }
  for (auto [name, out] :
       {std::pair<const char*, std::optional<std::chrono::system_clock::time_point>*>{"start_date",
                                                                                      &q.start},
        {"end_date", &q.end}}) {
    std::string value = get(name);
    if (value.empty()) continue;
    *out = parse_rfc3339(value);
    if (!*out) return unexpected(std::string(name) + " must be a W3C (RFC 3339) date-time");
  }
  return q;
}

std::string requests_json(
    const requests_query& q, const std::vector<std::pair<open311_request, case_summary>>& all,
    const std::function<std::optional<std::string>(std::string_view)>& code_of,
    std::chrono::system_clock::time_point now) {
  // GeoReport v2: without a date range, the last 90 days.
  auto start = q.start.value_or(now - std::chrono::hours(24 * 90));
  auto end = q.end.value_or(now + std::chrono::hours(24));
  std::vector<open311_view> views;
  for (const auto& [request, c] : all) {
    if (!q.ids.empty() && std::find(q.ids.begin(), q.ids.end(), request.id) == q.ids.end()) {
      continue;
    }
    auto code = code_of(request.id);
    if (!code) continue;
    if (!q.service_code.empty() && *code != q.service_code) continue;
    if (!q.status.empty() && responses::open311_status(c.status) != q.status) continue;
    auto requested = time_of(request.requested_at);
    if (q.ids.empty() && (!requested || *requested < start || *requested > end)) continue;
    views.push_back({request.id, *code, c, request.requested_at});
  }
  std::sort(views.begin(), views.end(), [](const open311_view& a, const open311_view& b) {
    return a.requested_at > b.requested_at;  // newest first
  });
  if (views.size() > q.limit) views.resize(q.limit);
  json::writer w;
  w.StartArray();
  for (const auto& v : views) write_request(w, v);
  w.EndArray();
  return w.str();
}

std::string updates_json(const std::vector<std::pair<open311_request, case_summary>>& all,
                         std::optional<std::chrono::system_clock::time_point> start,
                         std::optional<std::chrono::system_clock::time_point> end,
                         std::chrono::system_clock::time_point now) {
  auto from = start.value_or(now - std::chrono::hours(24 * 7));
  auto to = end.value_or(now + std::chrono::hours(1));
  struct row {
    std::string at, update_id, request_id, status, note;
  };
  std::vector<row> rows;
  for (const auto& [request, c] : all) {
    for (const auto& h : c.history) {
      auto at = time_of(h.at);
      if (!at || *at < from || *at > to) continue;
      rows.push_back({h.at, h.update_id + "-" + request.id, request.id,
                      std::string(responses::fixmystreet_status(h.status)), h.note});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.at < b.at; });
  json::writer w;
  w.StartArray();
  for (const auto& r : rows) {
    w.StartObject();
    w.member("update_id", r.update_id);
    w.member("service_request_id", r.request_id);
    w.member("status", r.status);
    w.member("updated_datetime", r.at);
    w.member("description", r.note);
    w.member("media_url", "");
    w.EndObject();
  }
  w.EndArray();
  return w.str();
}

}  // namespace civic::gateway::answers
