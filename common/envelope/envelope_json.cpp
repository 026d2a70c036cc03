#include "common/envelope/envelope_json.hpp"

#include <array>

#include "common/envelope/field_checks.hpp"
#include "common/envelope/field_readers.hpp"
#include "common/json/reader.hpp"
#include "common/json/writer.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::envelope {

std::string_view to_string(feedback_kind kind) {
  switch (kind) {
    case feedback_kind::complaint:
      return "complaint";
    case feedback_kind::idea:
      return "idea";
    case feedback_kind::praise:
      return "praise";
    case feedback_kind::question:
      return "question";
  }
  return "complaint";
}

std::optional<feedback_kind> parse_kind(std::string_view text) {
  for (auto k : {feedback_kind::complaint, feedback_kind::idea, feedback_kind::praise,
                 feedback_kind::question}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- writing

std::string to_json(const message& e) {
  std::string out;
  write_json(e, out);
  return out;
}

void write_json(const message& e, std::string& out) {
  // rapidjson's own buffer (it reserves once per string rather than checking
  // every character), kept per thread; one copy into `out` at the end.
  thread_local json::writer w;
  w.clear();
  w.StartObject();
  w.member("version", e.version);
  w.member("id", e.id);
  w.member("received_at", e.received_at);
  w.member("channel", e.channel);
  w.member("channel_message_id", e.channel_message_id);
  w.member("idempotency_key", e.idempotency_key);
  w.member("source", source_of(e));
  w.key("kind");
  if (e.kind) {
    w.string(to_string(*e.kind));
  } else {
    w.Null();
  }
  w.member("text", e.text);
  w.member("language", e.language);
  w.object("location", e.place, [&](const location& p) {
    w.member("lat", p.lat);
    w.member("lon", p.lon);
    w.member("address", p.address);
    w.member("district", p.district);
  });
  w.strings("media", e.media);
  w.member("author_id", e.author_id);
  w.object("reply_to", e.reply_to, [&](const reply_reference& r) {
    w.member("channel", r.channel);
    w.member("token", r.token);
  });
  w.object("service", e.service, [&](const service_reference& s) {
    w.member("code", s.code);
    w.member("division", s.division);
  });
  w.Key("attributes");
  if (!e.attributes.empty()) {
    w.StartObject();
    for (const auto& a : e.attributes) w.strings(a.code, a.values);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
  out.assign(w.view());
}

// ---------------------------------------------------------------- parsing

namespace {

using json::make_error;

using field_result = std::optional<field_error>;

// Reads a string member that must also satisfy `valid`, described by `expectation`.
template <class Pred>
field_result read_checked(json::value& v, const std::string& pointer, json::length_limits limits,
                          Pred valid, const char* expectation, std::string& out) {
  auto s = json::read_string_matching(v, pointer, limits, valid, expectation);
  if (!s) return std::move(s).error();
  out = std::string(*s);
  return std::nullopt;
}

bool is_reply_token(std::string_view s) {
  // rt1.<kid>.<base64url>
  if (!s.starts_with("rt1.")) return false;
  size_t dot = s.find('.', 4);
  if (dot == std::string_view::npos || dot == 4 || dot - 4 > 32 || dot + 1 == s.size()) {
    return false;
  }
  auto url_safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  };
  for (size_t i = 4; i < s.size(); ++i) {
    if (i != dot && !url_safe(s[i])) return false;
  }
  return true;
}

field_result read_reply_to(json::value& v, const std::string& pointer, reply_reference& out) {
  static constexpr std::array<std::string_view, 2> members{"channel", "token"};
  json::member_set set(members);
  return json::for_each_member(
      v, pointer, set,
      [&](std::string_view name, json::value& m, const std::string& p) -> field_result {
        if (name == "channel") {
          return read_checked(m, p, {1, 32}, is_channel_name,
                              "must be a channel name (lower-case letters, digits, _)",
                              out.channel);
        }
        return read_checked(m, p, {8, limits::reply_token_chars}, is_reply_token,
                            "must be a reply token (rt1.<key id>.<base64url>)", out.token);
      });
}

field_result read_service(json::value& v, const std::string& pointer, service_reference& out) {
  static constexpr std::array<std::string_view, 2> members{"code", "division"};
  json::member_set set(members);
  return json::for_each_member(
      v, pointer, set,
      [&](std::string_view name, json::value& m, const std::string& p) -> field_result {
        if (name == "code") {
          return read_checked(m, p, {1, limits::service_code_chars}, is_identifier,
                              "must be a service code without control characters", out.code);
        }
        return read_checked(m, p, {1, 32}, is_channel_name,
                            "must be a division id (lower-case letters, digits, _)", out.division);
      });
}

field_result read_attributes(json::value& v, const std::string& pointer,
                             std::vector<attribute>& out) {
  simdjson::ondemand::object object;
  if (auto error = v.get_object().get(object)) {
    return json::read_failure(error, pointer, "must be an object");
  }
  for (auto member : object) {
    std::string_view code;
    if (auto error = member.unescaped_key().get(code))
      return json::simdjson_failure(error, pointer);
    std::string p = pointer + "/" + json::pointer_token(code);
    if (out.size() == limits::attributes) {
      return make_error(errc::too_long, p,
                        "at most " + std::to_string(limits::attributes) + " attributes");
    }
    if (code.empty() || json::count_code_points(code) > limits::attribute_code_chars ||
        !is_identifier(code)) {
      return make_error(errc::invalid_value, p, "is not an attribute code");
    }
    for (const auto& a : out) {
      if (a.code == code) return make_error(errc::duplicate_field, p, "appears more than once");
    }
    attribute a{std::string(code), {}};
    json::value values;
    if (auto error = member.value().get(values)) return json::simdjson_failure(error, p);
    auto failed = json::for_each_item(
        values, p, "must be an array of strings", limits::attribute_values, "values",
        [&](json::value& item, const std::string& item_pointer) -> std::optional<field_error> {
          auto s = json::read_string(item, item_pointer, {0, limits::attribute_value_chars});
          if (!s) return std::move(s).error();
          a.values.emplace_back(*s);
          return std::nullopt;
        });
    if (failed) return failed;
    out.push_back(std::move(a));
  }
  return std::nullopt;
}

field_result read_member(std::string_view name, json::value& v, const std::string& p, message& e) {
  if (name == "version") {
    auto n = json::read_integer(v, p, current_version, current_version);
    if (!n) return std::move(n).error();
    e.version = static_cast<int>(*n);
    return std::nullopt;
  }
  if (name == "id") {
    return read_checked(v, p, {36, 36}, is_uuid_v7, "must be a lower-case UUIDv7", e.id);
  }
  if (name == "received_at") {
    auto utc_timestamp = [](std::string_view s) { return s.ends_with('Z') && parse_rfc3339(s); };
    return read_checked(v, p, {20, 40}, utc_timestamp, "must be an RFC 3339 UTC timestamp",
                        e.received_at);
  }
  if (name == "channel") {
    return read_checked(v, p, {1, 32}, is_channel_name,
                        "must be a channel name (lower-case letters, digits, _)", e.channel);
  }
  if (name == "channel_message_id" || name == "idempotency_key") {
    bool key = name == "idempotency_key";
    auto s = json::read_string(v, p, {1, key ? limits::idempotency_key_chars : limits::id_chars});
    if (!s) return std::move(s).error();
    (key ? e.idempotency_key : e.channel_message_id) = std::string(*s);
    return std::nullopt;
  }
  if (name == "source") {
    return read_checked(v, p, {1, limits::source_chars}, is_event_source,
                        "must be /gateway/channels/<channel> or /gateway/bridges/<name>", e.source);
  }
  if (name == "kind") {
    auto s = json::read_nullable_string(v, p, {1, 16});
    if (!s) return std::move(s).error();
    if (!*s) return std::nullopt;
    e.kind = parse_kind(**s);
    if (!e.kind) {
      return make_error(errc::invalid_value, p,
                        "must be complaint, idea, praise, question or null");
    }
    return std::nullopt;
  }
  if (name == "text") {
    auto s = json::read_string(v, p, {1, limits::text_chars});
    if (!s) return std::move(s).error();
    e.text = std::string(*s);
    return std::nullopt;
  }
  if (name == "language") {
    return read_checked(v, p, {2, 3}, is_language_code, "must be an ISO 639 code or \"und\"",
                        e.language);
  }
  if (name == "location") {
    auto null = json::is_null(v, p);
    if (!null) return std::move(null).error();
    if (*null) return std::nullopt;
    e.place.emplace();
    return read_location(v, p, location_members::all_present, *e.place);
  }
  if (name == "media") return read_media(v, p, e.media);
  if (name == "author_id") {
    auto s = json::read_nullable_string(v, p, {32, 32});
    if (!s) return std::move(s).error();
    if (!*s) return std::nullopt;
    if ((**s).find_first_not_of("0123456789abcdef") != std::string_view::npos) {
      return make_error(errc::invalid_value, p, "must be 32 hex digits");
    }
    e.author_id = std::string(**s);
    return std::nullopt;
  }
  if (name == "service") {
    auto null = json::is_null(v, p);
    if (!null) return std::move(null).error();
    if (*null) return std::nullopt;
    e.service.emplace();
    return read_service(v, p, *e.service);
  }
  if (name == "attributes") {
    auto null = json::is_null(v, p);
    if (!null) return std::move(null).error();
    if (*null) return std::nullopt;
    return read_attributes(v, p, e.attributes);
  }
  // reply_to
  auto null = json::is_null(v, p);
  if (!null) return std::move(null).error();
  if (*null) return std::nullopt;
  e.reply_to.emplace();
  return read_reply_to(v, p, *e.reply_to);
}

constexpr std::array<std::string_view, 13> envelope_members{
    "version",         "id",        "received_at", "channel",  "channel_message_id",
    "idempotency_key", "kind",      "text",        "language", "location",
    "media",           "author_id", "reply_to"};
// Written by every gateway since they were added; records written before lack them.
constexpr std::array<std::string_view, 3> later_members{"source", "service", "attributes"};

// Envelopes are produced by the gateway and are small; this bounds what a
// consumer will parse from a corrupt or hostile record.
constexpr size_t max_envelope_bytes = 1 << 20;
constexpr size_t max_envelope_depth = 8;

}  // namespace

expected<message, field_error> parse_json(std::string_view json) {
  thread_local simdjson::ondemand::parser parser(max_envelope_bytes);
  thread_local bool allocated =
      parser.allocate(max_envelope_bytes, max_envelope_depth) == simdjson::SUCCESS;
  if (!allocated) return unexpected(make_error(errc::too_large, "", "parser allocation failed"));
  if (json.size() > max_envelope_bytes) {
    return unexpected(make_error(errc::too_large, "", "an envelope is at most 1 MiB"));
  }

  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (auto error = parser.iterate(padded).get(doc)) {
    return unexpected(json::simdjson_failure(error, ""));
  }
  json::value root;
  if (auto error = doc.get_value().get(root)) return unexpected(json::simdjson_failure(error, ""));

  message e;
  json::member_set members(envelope_members, later_members);
  auto failed = json::for_each_member(
      root, "", members, [&](std::string_view name, json::value& v, const std::string& p) {
        return read_member(name, v, p, e);
      });
  if (failed) return unexpected(std::move(*failed));
  if (e.source.empty()) e.source = "/gateway/channels/" + e.channel;
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return unexpected(make_error(errc::malformed_json, "", "has content after the JSON value"));
  }
  return e;
}

}  // namespace civic::envelope
