#include "gateway/ingest/inbound.hpp"

#include <array>
#include <optional>

#include "common/envelope/field_checks.hpp"
#include "common/envelope/field_readers.hpp"
#include "common/json/number_range.hpp"
#include "common/json/reader.hpp"

namespace civic::gateway::ingest {
namespace {

using field_result = std::optional<field_error>;
using json::make_error;

constexpr std::array<std::string_view, 3> required_members{"id", "channel", "text"};
constexpr std::array<std::string_view, 8> optional_members{
    "kind",  "author",          "language",         "location",
    "media", "conversation_id", "reply_message_id", "traceparent"};

// Assigns an optional string member; absent and null both mean "not given".
field_result read_optional_into(json::value& v, const std::string& p, json::length_limits limits,
                                std::optional<std::string>& out) {
  auto s = json::read_nullable_string(v, p, limits);
  if (!s) return std::move(s).error();
  if (*s) out = std::string(**s);
  return std::nullopt;
}

field_result read_member(std::string_view name, json::value& v, const std::string& p,
                         const inbound_limits& limits, inbound_message& m) {
  if (name == "id") {
    auto s = json::read_string(v, p, {1, envelope::limits::id_chars});
    if (!s) return std::move(s).error();
    m.id = std::string(*s);
    return std::nullopt;
  }
  if (name == "channel") {
    auto s = json::read_string_matching(v, p, {1, 32}, envelope::is_channel_name,
                                        "must be a channel name (lower-case letters, digits, _)");
    if (!s) return std::move(s).error();
    m.channel = std::string(*s);
    return std::nullopt;
  }
  if (name == "text") {
    auto s = json::read_string(v, p, {1, limits.max_text_chars});
    if (!s) return std::move(s).error();
    m.text = std::string(*s);
    return std::nullopt;
  }
  if (name == "kind") {
    std::optional<std::string> kind;
    if (auto failed = read_optional_into(v, p, {1, 16}, kind)) return failed;
    if (!kind) return std::nullopt;
    m.kind = envelope::parse_kind(*kind);
    if (!m.kind)
      return make_error(errc::invalid_value, p, "must be complaint, idea, praise or question");
    return std::nullopt;
  }
  if (name == "author") return read_optional_into(v, p, {1, envelope::limits::id_chars}, m.author);
  if (name == "language") {
    if (auto failed = read_optional_into(v, p, {2, 3}, m.language)) return failed;
    if (m.language && !envelope::is_language_code(*m.language)) {
      return make_error(errc::invalid_value, p, "must be an ISO 639 code");
    }
    return std::nullopt;
  }
  if (name == "location") {
    auto null = json::is_null(v, p);
    if (!null) return std::move(null).error();
    if (*null) return std::nullopt;
    m.place.emplace();
    if (auto failed =
            envelope::read_location(v, p, envelope::location_members::any_present, *m.place)) {
      return failed;
    }
    if (*m.place == envelope::location{}) m.place.reset();
    return std::nullopt;
  }
  if (name == "media") return envelope::read_media(v, p, m.media);
  if (name == "conversation_id") {
    return read_optional_into(v, p, {1, envelope::limits::id_chars}, m.conversation_id);
  }
  if (name == "reply_message_id") {
    return read_optional_into(v, p, {1, envelope::limits::id_chars}, m.reply_message_id);
  }
  // traceparent
  if (auto failed = read_optional_into(v, p, {55, 55}, m.traceparent)) return failed;
  if (m.traceparent && !envelope::is_traceparent(*m.traceparent)) {
    return make_error(errc::invalid_value, p, "must be a W3C traceparent");
  }
  return std::nullopt;
}

simdjson::ondemand::parser& parser_for(const inbound_limits& limits) {
  // The cap is set through the constructor: simdjson 3.0's set_max_capacity()
  // clamps every value above 32 bytes down to 32. Limits are fixed per process.
  thread_local simdjson::ondemand::parser parser(limits.max_message_bytes);
  if (parser.capacity() < limits.max_message_bytes) {
    // Allocated once per thread; on failure capacity stays 0 and iterate() reports it.
    if (parser.allocate(limits.max_message_bytes, limits.max_depth + 1) != simdjson::SUCCESS) {
      return parser;
    }
  }
  return parser;
}

// malformed_json (or invalid_utf8) when the whole document is not JSON.
std::optional<field_error> not_well_formed(const simdjson::padded_string& padded,
                                           const inbound_limits& limits) {
  thread_local simdjson::dom::parser parser(limits.max_message_bytes);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (!error || error == simdjson::CAPACITY || error == simdjson::DEPTH_ERROR) return std::nullopt;
  if (error == simdjson::UTF8_ERROR) return json::simdjson_failure(error, "");
  if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
    if (auto at =
            json::unrepresentable_number_pointer(std::string_view(padded.data(), padded.size())))
      return make_error(errc::out_of_range, std::move(*at),
                        "is a number beyond what a double or a 64-bit integer holds");
  }
  return make_error(errc::malformed_json, "",
                    std::string("is not JSON (") + simdjson::error_message(error) + ")");
}

// After a failure, looks for the sender's id so the refusal can name the message.
std::string find_id(const simdjson::padded_string& padded, const inbound_limits& limits) {
  simdjson::ondemand::document doc;
  if (parser_for(limits).iterate(padded).get(doc)) return {};
  std::string_view id;
  if (doc.find_field_unordered("id").get_string().get(id)) return {};
  if (json::count_code_points(id) > envelope::limits::id_chars) return {};
  if (envelope::has_control_character(id)) return {};
  return std::string(id);
}

}  // namespace

expected<inbound_message, inbound_failure> parse_inbound(std::string_view text,
                                                         const inbound_limits& limits) {
  if (text.size() > limits.max_message_bytes) {
    return unexpected(inbound_failure{
        make_error(errc::too_large, "",
                   "a message is at most " + std::to_string(limits.max_message_bytes) + " bytes"),
        {}});
  }
  if (json::nesting_depth(text) > limits.max_depth) {
    return unexpected(inbound_failure{
        make_error(errc::too_deep, "",
                   "nested deeper than " + std::to_string(limits.max_depth) + " levels"),
        {}});
  }
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  inbound_message message;
  std::optional<field_error> failed;
  if (auto error = parser_for(limits).iterate(padded).get(doc)) {
    failed = json::simdjson_failure(error, "");
  } else {
    json::value root;
    if (auto root_error = doc.get_value().get(root)) {
      failed = json::simdjson_failure(root_error, "");
    } else {
      json::member_set members(required_members, optional_members);
      failed = json::for_each_member(
          root, "", members, [&](std::string_view name, json::value& v, const std::string& p) {
            return read_member(name, v, p, limits, message);
          });
      const char* trailing = nullptr;
      if (!failed && doc.current_location().get(trailing) == simdjson::SUCCESS) {
        failed = make_error(errc::malformed_json, "", "has content after the JSON value");
      }
    }
  }
  if (failed) {
    // On-demand parsing stops at the first fault it meets, which for a document
    // that is not JSON at all may look like a type error ("[1,"): a full parse
    // decides, on this path only.
    if (auto not_json = not_well_formed(padded, limits)) failed = std::move(not_json);
    bool id_readable = failed->code != errc::invalid_utf8 && failed->code != errc::malformed_json;
    return unexpected(
        inbound_failure{std::move(*failed), id_readable ? find_id(padded, limits) : std::string()});
  }
  return message;
}

std::optional<field_error> check_limits(const inbound_message& m, const inbound_limits& limits) {
  auto length = [](std::string_view s) { return json::count_code_points(s); };
  if (m.id.empty() || length(m.id) > envelope::limits::id_chars) {
    return make_error(errc::invalid_value, "/id", "must have 1 to 256 characters");
  }
  if (!envelope::is_channel_name(m.channel)) {
    return make_error(errc::invalid_value, "/channel", "must be a channel name");
  }
  if (m.text.empty()) return make_error(errc::too_short, "/text", "must not be empty");
  if (size_t chars = length(m.text); chars > limits.max_text_chars) {
    return make_error(errc::too_long, "/text",
                      "must have at most " + std::to_string(limits.max_text_chars) +
                          " characters (has " + std::to_string(chars) + ")");
  }
  if (envelope::has_control_character(m.id)) {
    return make_error(errc::invalid_value, "/id", "must not contain control characters");
  }
  if (envelope::has_invisible_formatting(m.id)) {
    return make_error(errc::invalid_value, "/id",
                      "must not contain bidirectional controls, line separators or zero-width "
                      "characters");
  }
  struct reference {
    const std::optional<std::string>& value;
    const char* pointer;
  };
  for (const reference& r :
       {reference{m.author, "/author"}, reference{m.conversation_id, "/conversation_id"},
        reference{m.reply_message_id, "/reply_message_id"}}) {
    if (!r.value) continue;
    if (length(*r.value) > envelope::limits::id_chars) {
      return make_error(errc::too_long, r.pointer, "must have at most 256 characters");
    }
    if (envelope::has_control_character(*r.value)) {
      return make_error(errc::invalid_value, r.pointer, "must not contain control characters");
    }
    if (envelope::has_invisible_formatting(*r.value)) {
      return make_error(errc::invalid_value, r.pointer,
                        "must not contain bidirectional controls, line separators or zero-width "
                        "characters");
    }
  }
  if (m.place && m.place->district && envelope::has_control_character(*m.place->district)) {
    return make_error(errc::invalid_value, "/location/district",
                      "must not contain control characters");
  }
  if (m.service && (!envelope::is_identifier(m.service->code) ||
                    !envelope::is_channel_name(m.service->division))) {
    return make_error(errc::invalid_value, "/service", "must have a code and a division id");
  }
  if (m.attributes.size() > envelope::limits::attributes) {
    return make_error(errc::too_long, "/attributes",
                      "at most " + std::to_string(envelope::limits::attributes) + " attributes");
  }
  for (const auto& a : m.attributes) {
    std::string p = "/attributes/" + json::pointer_token(a.code);
    if (!envelope::is_identifier(a.code) ||
        length(a.code) > envelope::limits::attribute_code_chars) {
      return make_error(errc::invalid_value, p, "is not an attribute code (1 to 64 characters)");
    }
    if (a.values.size() > envelope::limits::attribute_values) {
      return make_error(errc::too_long, p, "has more than 16 values");
    }
    for (const auto& v : a.values) {
      if (length(v) > envelope::limits::attribute_value_chars) {
        return make_error(errc::too_long, p, "has a value longer than 500 characters");
      }
    }
  }
  for (size_t i = 0; i < m.media.size(); ++i) {
    if (envelope::has_control_character(m.media[i])) {
      return make_error(errc::invalid_value, "/media/" + std::to_string(i),
                        "must not contain control characters");
    }
  }
  if (m.media.size() > envelope::limits::media_items) {
    return make_error(errc::too_long, "/media", "at most 10 media links");
  }
  return std::nullopt;
}

std::string read_message_id(std::string_view json, const inbound_limits& limits) {
  if (json.size() > limits.max_message_bytes || json::nesting_depth(json) > limits.max_depth) {
    return {};
  }
  return find_id(simdjson::padded_string(json), limits);
}

}  // namespace civic::gateway::ingest
