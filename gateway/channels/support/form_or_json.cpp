#include "gateway/channels/support/form_or_json.hpp"

#include "common/error/errc.hpp"
#include "gateway/channels/support/json_payload.hpp"
#include "gateway/http/media_type.hpp"

namespace civic::gateway::channels {
namespace {

// Strings and numbers as they are; "attribute": {"CODE": "v"} as attribute[CODE],
// "media": ["a", "b"] as media[]. Deeper nesting and other types are dropped.
void add_value(form_pairs& out, const std::string& name, simdjson::dom::element value,
               bool nested) {
  std::string_view s;
  if (!value.get_string().get(s)) {
    out.emplace_back(name, std::string(s));
  } else if (value.is_number()) {
    out.emplace_back(name, std::string(simdjson::minify(value)));
  } else if (!nested && value.is_object()) {
    for (auto [key, member] : value.get_object()) {
      add_value(out, name + "[" + std::string(key) + "]", member, true);
    }
  } else if (!nested && value.is_array()) {
    for (auto item : value.get_array()) add_value(out, name + "[]", item, true);
  }
}

}  // namespace

expected<form_pairs, field_error> read_fields(std::string_view content_type,
                                              std::string_view body) {
  if (http::has_media_type(content_type, "application/x-www-form-urlencoded")) {
    return parse_form_pairs(body);
  }
  if (!http::has_media_type(content_type, "application/json")) {
    return unexpected(field_error{errc::unsupported_media_type, "",
                                  "send application/x-www-form-urlencoded or application/json"});
  }
  auto payload = json_payload::read(body);
  if (!payload) return unexpected(std::move(payload).error());
  form_pairs fields;
  for (auto [key, value] : payload->root().get_object()) {
    add_value(fields, std::string(key), value, false);
  }
  return fields;
}

}  // namespace civic::gateway::channels
