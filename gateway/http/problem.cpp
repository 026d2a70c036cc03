#include "gateway/http/problem.hpp"

#include "common/error/errc.hpp"
#include "common/json/writer.hpp"

namespace civic::gateway::http {
namespace {

using json_writer = json::writer;

}  // namespace

std::string problem_json(std::error_code code, const problem_details& d) {
  const error_traits& t = traits(code);
  json::writer w;
  w.StartObject();
  w.member("type", "urn:civic-gateway:problem:" + std::string(t.name));
  w.member("title", t.title);
  w.member("status", t.http_status);
  w.member("detail", d.detail);
  w.member("code", t.name);
  w.member("pointer", d.pointer);
  w.Key("id");
  if (d.id.empty())
    w.Null();
  else
    w.string(d.id);
  w.member("retryable", t.retryable);
  w.EndObject();
  return w.str();
}

response problem(std::error_code code, std::string_view detail, std::string_view pointer,
                 std::string_view id) {
  const error_traits& t = traits(code);
  response r;
  r.status = t.http_status;
  r.content_type = "application/problem+json";
  r.body = problem_json(code, {detail, pointer, id});
  if (t.retryable) r.retry_after = retry_after_default;
  if (t.http_status == 401) {
    // RFC 6750 §3: no error attribute when no credential was sent at all.
    r.headers.emplace_back("WWW-Authenticate",
                           code == errc::unauthenticated
                               ? R"(Bearer realm="civic-gateway")"
                               : R"(Bearer realm="civic-gateway", error="invalid_token")");
  }
  return r;
}

response json(unsigned status, std::string body) {
  return answer(status, "application/json", std::move(body));
}

response answer(unsigned status, std::string content_type, std::string body) {
  response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace civic::gateway::http
