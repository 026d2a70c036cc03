#include "gateway/channels/support/form_or_json.hpp"

#include "gateway/channels/support/json_payload.hpp"

namespace civic::gateway::channels {

expected<form_fields, response> read_fields(std::string_view content_type, std::string_view body) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type == "application/x-www-form-urlencoded") {
    auto fields = parse_form(body);
    if (!fields) return unexpected(problem(400, "malformed_form", "the body is not urlencoded"));
    return *fields;
  }
  if (type != "application/json") {
    return unexpected(problem(415, "invalid_value",
                              "send application/x-www-form-urlencoded or application/json"));
  }
  auto payload = json_payload::parse(body);
  if (!payload) return unexpected(std::move(payload).error());
  form_fields fields;
  for (auto [key, value] : payload->root().get_object()) {
    std::string_view s;
    double d;
    if (!value.get_string().get(s))
      fields.emplace(std::string(key), std::string(s));
    else if (!value.get_double().get(d))
      fields.emplace(std::string(key), std::string(simdjson::minify(value)));
  }
  return fields;
}

}  // namespace civic::gateway::channels
