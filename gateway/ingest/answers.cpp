#include "gateway/ingest/answers.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::ingest {
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
void stored_members(json_writer& w, const outcome& o) {
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

void error_members(json_writer& w, const outcome& o) {
  w.Key("code");
  string(w, error_name(o.error->code));
  w.Key("message");
  string(w, describe(*o.error));
  w.Key("pointer");
  string(w, o.error->pointer);
  w.Key("retryable");
  w.Bool(o.retryable());
}

}  // namespace

std::string websocket_frame(const outcome& o) {
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

std::string websocket_acks_frame(const std::vector<outcome>& acks) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("type");
  string(w, "acks");
  w.Key("acks");
  w.StartArray();
  for (const auto& o : acks) {
    w.StartObject();
    w.Key("id");
    id_or_null(w, o.id);
    stored_members(w, o);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

http::response http_answer(const outcome& o) {
  if (o.error) return http::problem(o.error->code, describe(*o.error), o.error->pointer, o.id);
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("id");
  id_or_null(w, o.id);
  w.Key("status");
  string(w, "stored");
  stored_members(w, o);
  w.EndObject();
  return http::json(200, {buffer.GetString(), buffer.GetSize()});
}

std::string batch_body(const std::vector<size_t>& line_numbers,
                       const std::vector<outcome>& outcomes) {
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
    string(w, o.error ? (o.retryable() ? "refused" : "rejected") : "stored");
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

}  // namespace civic::gateway::ingest
