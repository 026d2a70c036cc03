#include "gateway/ingest/answers.hpp"

#include "common/error/errc.hpp"
#include "common/json/writer.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::ingest {
namespace {

using json_writer = json::writer;

void id_or_null(json_writer& w, std::string_view id) {
  if (id.empty())
    w.Null();
  else
    w.string(id);
}

// The members shared by an ack frame, a stored result and a batch line.
void stored_members(json_writer& w, const outcome& o) {
  w.member("topic", o.topic);
  w.member("partition", o.partition);
  w.member("offset", o.offset);
}

// "/text is required": the message names the field so it reads on its own.
std::string describe(const field_error& e) {
  return e.pointer.empty() ? e.message : e.pointer + " " + e.message;
}

void error_members(json_writer& w, const outcome& o) {
  w.member("code", error_name(o.error->code));
  w.member("message", describe(*o.error));
  w.member("pointer", o.error->pointer);
  w.member("retryable", o.retryable());
}

}  // namespace

std::string websocket_frame(const outcome& o) {
  json::writer w;
  w.StartObject();
  w.member("type", o.error ? "nack" : "ack");
  w.Key("id");
  id_or_null(w, o.id);
  if (o.error)
    error_members(w, o);
  else
    stored_members(w, o);
  w.EndObject();
  return w.str();
}

std::string websocket_acks_frame(const std::vector<outcome>& acks) {
  json::writer w;
  w.StartObject();
  w.member("type", "acks");
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
  return w.str();
}

http::response http_answer(const outcome& o) {
  if (o.error) return http::problem(o.error->code, describe(*o.error), o.error->pointer, o.id);
  json::writer w;
  w.StartObject();
  w.Key("id");
  id_or_null(w, o.id);
  w.member("status", "stored");
  stored_members(w, o);
  w.EndObject();
  return http::json(200, w.str());
}

std::string batch_body(const std::vector<size_t>& line_numbers,
                       const std::vector<outcome>& outcomes) {
  json::writer w;
  size_t stored = 0;
  for (const auto& o : outcomes) stored += o.error ? 0u : 1u;
  w.StartObject();
  w.member("stored", stored);
  w.member("failed", outcomes.size() - stored);
  w.Key("results");
  w.StartArray();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    w.StartObject();
    w.member("line", line_numbers[i]);
    w.Key("id");
    id_or_null(w, o.id);
    w.member("status", o.error ? (o.retryable() ? "refused" : "rejected") : "stored");
    if (o.error)
      error_members(w, o);
    else
      stored_members(w, o);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

}  // namespace civic::gateway::ingest
