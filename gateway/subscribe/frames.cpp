#include "gateway/subscribe/frames.hpp"

#include <simdjson.h>

#include "common/error/errc.hpp"
#include "common/json/writer.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::gateway::subscribe {
namespace {

using writer = json::writer;

void key_string(writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.string(value);
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Builds {"type":T,"position":"<token>","partition":p,"offset":o,"<member>":VALUE}.
event make_event(std::string_view type, std::string_view member, std::string_view value,
                 int32_t partition, int64_t offset, const position& after) {
  event e;
  std::string token = encode_position(after);
  e.frame.reserve(value.size() + token.size() + 80);
  e.frame += "{\"type\":\"";
  e.frame += type;
  e.frame += "\",\"position\":\"";
  e.token_begin = e.frame.size();
  e.token_size = token.size();
  e.frame += token;
  e.frame += "\",\"partition\":";
  e.frame += std::to_string(partition);
  e.frame += ",\"offset\":";
  e.frame += std::to_string(offset);
  e.frame += ",\"";
  e.frame += member;
  e.frame += "\":";
  e.frame += value;
  e.frame += '}';
  e.after = after;
  e.partition = partition;
  e.offset = offset;
  return e;
}

}  // namespace

std::string event::with_position(std::string_view other_token) const {
  std::string out;
  out.reserve(frame.size() - token_size + other_token.size());
  out.append(frame, 0, token_begin);
  out.append(other_token);
  out.append(frame, token_begin + token_size, std::string::npos);
  return out;
}

size_t event::footprint() const {
  return sizeof(event) + frame.capacity() +
         (after.division.capacity() + after.cases.capacity()) * sizeof(partition_mark);
}

expected<std::string, std::string> compact_json_object(std::string_view value) {
  auto& parser = thread_parser();
  simdjson::dom::element doc;
  if (auto err = parser.parse(value.data(), value.size()).get(doc)) {
    return unexpected(std::string("not JSON: ") + simdjson::error_message(err));
  }
  if (!doc.is_object()) return unexpected(std::string("not a JSON object"));
  // A compact writer's output has no raw newline or tab; anything else is re-written.
  if (value.find_first_of("\n\r\t") == std::string_view::npos &&
      value.find(": ") == std::string_view::npos && value.find(", ") == std::string_view::npos) {
    return std::string(value);
  }
  return simdjson::minify(doc);
}

event make_message_event(std::string_view compact_value, int32_t partition, int64_t offset,
                         const position& after) {
  event e = make_event("message", "message", compact_value, partition, offset, after);
  e.from = source::division;
  return e;
}

event make_case_event(std::string_view compact_value, int32_t partition, int64_t offset,
                      const position& after) {
  event e = make_event("case", "case", compact_value, partition, offset, after);
  e.from = source::cases;
  return e;
}

std::string snapshot_case_frame(std::string_view compact_value) {
  std::string out;
  out.reserve(compact_value.size() + 40);
  out += R"({"type":"case","snapshot":true,"case":)";
  out += compact_value;
  out += '}';
  return out;
}

expected<case_summary, std::string> read_case_summary(std::string_view compact_value) {
  auto& parser = thread_parser();
  simdjson::dom::element doc;
  if (parser.parse(compact_value.data(), compact_value.size()).get(doc)) {
    return unexpected(std::string("not JSON"));
  }
  case_summary s;
  std::string_view id;
  if (doc["id"].get(id)) return unexpected(std::string("/id is missing or not a string"));
  s.id = std::string(id);
  simdjson::dom::array divisions;
  if (doc["divisions"].get(divisions)) return unexpected(std::string("/divisions is not an array"));
  for (auto d : divisions) {
    std::string_view name;
    if (d.get(name)) return unexpected(std::string("/divisions holds a non-string"));
    s.divisions.emplace_back(name);
  }
  std::string_view status;
  if (!doc["status"].get(status)) s.open = status != "closed";
  return s;
}

std::string welcome_frame(std::string_view sub, std::string_view role,
                          const std::vector<std::string>& divisions,
                          std::chrono::system_clock::time_point expires_at,
                          const std::vector<std::string>& known_divisions) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "welcome");
  key_string(w, "protocol", "civic.subscribe.v1");
  key_string(w, "sub", sub);
  key_string(w, "role", role);
  w.strings("divisions", divisions);
  w.strings("known_divisions", known_divisions);
  key_string(w, "expires_at", format_rfc3339_utc(expires_at));
  w.EndObject();
  return w.str();
}

std::string subscribed_frame(const subscribed_info& s) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "subscribed");
  key_string(w, "id", s.id);
  key_string(w, "division", s.division);
  key_string(w, "from", s.from);
  key_string(w, "position", s.position);
  if (s.recovered) {
    w.member("recovered", *s.recovered);
    if (!*s.recovered) key_string(w, "reason", s.reason);
  }
  if (!s.replay.empty()) key_string(w, "replay", s.replay);
  if (s.snapshot_cases) {
    w.member("snapshot_cases", *s.snapshot_cases);
  }
  w.EndObject();
  return w.str();
}

std::string live_frame(std::string_view id, std::string_view position, uint64_t replayed) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "live");
  key_string(w, "id", id);
  key_string(w, "position", position);
  w.member("replayed", replayed);
  w.EndObject();
  return w.str();
}

std::string error_frame(std::string_view id, std::error_code code, std::string_view message,
                        std::string_view pointer, bool retryable) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "error");
  if (!id.empty()) key_string(w, "id", id);
  key_string(w, "code", error_name(code));
  key_string(w, "message", message);
  if (!pointer.empty()) key_string(w, "pointer", pointer);
  w.member("retryable", retryable);
  w.EndObject();
  return w.str();
}

std::string refreshed_frame(std::string_view id, std::chrono::system_clock::time_point expires_at) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "refreshed");
  key_string(w, "id", id);
  key_string(w, "expires_at", format_rfc3339_utc(expires_at));
  w.EndObject();
  return w.str();
}

std::string refresh_due_frame(std::chrono::system_clock::time_point expires_at) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "refresh_due");
  key_string(w, "expires_at", format_rfc3339_utc(expires_at));
  w.EndObject();
  return w.str();
}

std::string disconnect_frame(int code, std::string_view reason, std::string_view position,
                             bool reconnect) {
  json::writer w;
  w.StartObject();
  key_string(w, "type", "disconnect");
  w.member("code", code);
  key_string(w, "reason", reason);
  if (!position.empty()) key_string(w, "position", position);
  w.member("reconnect", reconnect);
  w.EndObject();
  return w.str();
}

}  // namespace civic::gateway::subscribe
