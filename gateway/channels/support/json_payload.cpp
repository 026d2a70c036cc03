#include "gateway/channels/support/json_payload.hpp"

#include "common/error/errc.hpp"
#include "common/json/number_range.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {

expected<json_payload, field_error> json_payload::read(std::string_view body) {
  json_payload p;
  p.parser_ = std::make_unique<simdjson::dom::parser>();
  simdjson::padded_string padded(body);
  if (auto error = p.parser_->parse(padded).get(p.root_)) {
    if (error == simdjson::NUMBER_ERROR) {
      if (auto at = json::unrepresentable_number_pointer(body))
        return unexpected(
            field_error{errc::out_of_range, *at, "is a number beyond what a double holds"});
    }
    errc code = error == simdjson::UTF8_ERROR    ? errc::invalid_utf8
                : error == simdjson::DEPTH_ERROR ? errc::too_deep
                                                 : errc::malformed_json;
    return unexpected(field_error{
        code, "", std::string("the body is not JSON: ") + simdjson::error_message(error)});
  }
  if (!p.root_.is_object()) {
    return unexpected(field_error{errc::wrong_type, "", "the body must be a JSON object"});
  }
  return p;
}

expected<json_payload, response> json_payload::parse(std::string_view body) {
  auto p = read(body);
  if (!p) return unexpected(http::problem(p.error().code, p.error().message, p.error().pointer));
  return std::move(*p);
}

std::optional<std::string_view> string_at(simdjson::dom::element e, std::string_view pointer) {
  std::string_view s;
  if (e.at_pointer(pointer).get_string().get(s)) return std::nullopt;
  return s;
}

std::optional<int64_t> integer_at(simdjson::dom::element e, std::string_view pointer) {
  int64_t n;
  if (e.at_pointer(pointer).get_int64().get(n)) return std::nullopt;
  return n;
}

std::optional<double> number_at(simdjson::dom::element e, std::string_view pointer) {
  double d;
  if (e.at_pointer(pointer).get_double().get(d)) return std::nullopt;
  return d;
}

std::optional<std::string> id_at(simdjson::dom::element e, std::string_view pointer) {
  if (auto s = string_at(e, pointer)) return std::string(*s);
  if (auto n = integer_at(e, pointer)) return std::to_string(*n);
  uint64_t u;
  if (!e.at_pointer(pointer).get_uint64().get(u)) return std::to_string(u);
  return std::nullopt;
}

std::optional<simdjson::dom::array> array_at(simdjson::dom::element e, std::string_view pointer) {
  simdjson::dom::array a;
  if (e.at_pointer(pointer).get_array().get(a)) return std::nullopt;
  return a;
}

std::optional<response> not_a_string(simdjson::dom::element e, std::string_view pointer) {
  if (string_at(e, pointer) || e.at_pointer(pointer).error()) return std::nullopt;
  return missing(e, pointer);
}

response missing(simdjson::dom::element e, std::string_view pointer, std::string_view prefix) {
  const std::string at = std::string(prefix) + std::string(pointer);
  if (!e.at_pointer(pointer).error()) {
    return http::problem(errc::wrong_type, at + " has another type than the channel sends", at);
  }
  return http::problem(errc::missing_field, at + " is required", at);
}

}  // namespace civic::gateway::channels
