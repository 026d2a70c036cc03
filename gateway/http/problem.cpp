#include "gateway/http/problem.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error/errc.hpp"

namespace civic::gateway::http {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

std::string problem_json(std::error_code code, const problem_details& d) {
  const error_traits& t = traits(code);
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("type");
  string(w, "urn:civic-gateway:problem:" + std::string(t.name));
  w.Key("title");
  string(w, t.title);
  w.Key("status");
  w.Uint(t.http_status);
  w.Key("detail");
  string(w, d.detail);
  w.Key("code");
  string(w, t.name);
  w.Key("pointer");
  string(w, d.pointer);
  w.Key("id");
  if (d.id.empty())
    w.Null();
  else
    string(w, d.id);
  w.Key("retryable");
  w.Bool(t.retryable);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
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
