#include "gateway/server/responses.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error/errc.hpp"

namespace civic::gateway::server {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void id_or_null(json_writer& w, std::string_view id) {
  if (id.empty())
    w.Null();
  else
    string(w, id);
}

// The members shared by an ack frame, a stored result and a batch line.
void stored_members(json_writer& w, const ingest::outcome& o) {
  w.Key("topic");
  string(w, o.topic);
  w.Key("partition");
  w.Int(o.partition);
  w.Key("offset");
  w.Int64(o.offset);
}

// "/text is required": the message names the field so it reads on its own.
std::string describe(const field_error& e) {
  return e.pointer.empty() ? e.message : e.pointer + " " + e.message;
}

void error_members(json_writer& w, const ingest::outcome& o) {
  w.Key("code");
  string(w, error_name(o.error->code));
  w.Key("message");
  string(w, describe(*o.error));
  w.Key("pointer");
  string(w, o.error->pointer);
  w.Key("retryable");
  w.Bool(o.retryable);
}

std::string_view title_for(unsigned status) {
  switch (status) {
    case 400:
      return "The message is not valid";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 413:
      return "Too large";
    case 415:
      return "Unsupported content type";
    case 429:
      return "Too many messages in flight";
    case 503:
      return "Service unavailable";
    default:
      return "Error";
  }
}

}  // namespace

std::string websocket_frame(const ingest::outcome& o) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("type");
  string(w, o.error ? "nack" : "ack");
  w.Key("id");
  id_or_null(w, o.id);
  if (o.error)
    error_members(w, o);
  else
    stored_members(w, o);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

unsigned http_status(const ingest::outcome& o) {
  if (!o.error) return 200;
  if (!o.retryable) return o.error->code == errc::too_large ? 413 : 400;
  return o.error->code == errc::overloaded ? 429 : 503;
}

std::string stored_body(const ingest::outcome& o) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("id");
  id_or_null(w, o.id);
  w.Key("status");
  string(w, "stored");
  stored_members(w, o);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string problem_body(unsigned status, std::error_code code, std::string_view detail,
                         std::string_view pointer, std::string_view id, bool retryable) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("type");
  string(w, "urn:civic-gateway:problem:" + std::string(error_name(code)));
  w.Key("title");
  string(w, title_for(status));
  w.Key("status");
  w.Uint(status);
  w.Key("detail");
  string(w, detail);
  w.Key("code");
  string(w, error_name(code));
  w.Key("pointer");
  string(w, pointer);
  w.Key("id");
  id_or_null(w, id);
  w.Key("retryable");
  w.Bool(retryable);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string problem_body(const ingest::outcome& o) {
  return problem_body(http_status(o), o.error->code, describe(*o.error), o.error->pointer, o.id,
                      o.retryable);
}

std::string batch_body(const std::vector<size_t>& line_numbers,
                       const std::vector<ingest::outcome>& outcomes) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  size_t stored = 0;
  for (const auto& o : outcomes) stored += o.error ? 0u : 1u;
  w.StartObject();
  w.Key("stored");
  w.Uint64(stored);
  w.Key("failed");
  w.Uint64(outcomes.size() - stored);
  w.Key("results");
  w.StartArray();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    w.StartObject();
    w.Key("line");
    w.Uint64(line_numbers[i]);
    w.Key("id");
    id_or_null(w, o.id);
    w.Key("status");
    string(w, o.error ? (o.retryable ? "refused" : "rejected") : "stored");
    if (o.error)
      error_members(w, o);
    else
      stored_members(w, o);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace civic::gateway::server
