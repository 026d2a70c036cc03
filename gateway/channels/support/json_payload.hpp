#pragma once
// Reading a webhook's JSON body. Channel payloads nest events in arrays in any
// member order, so the simdjson DOM API serves better here than on-demand.

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "gateway/channels/channel.hpp"

namespace civic::gateway::channels {

class json_payload {
 public:
  // A 400 problem answer when the body is not a JSON object.
  static expected<json_payload, response> parse(std::string_view body);
  // The same, with the error rather than its answer (for a channel's own format).
  static expected<json_payload, field_error> read(std::string_view body);
  simdjson::dom::element root() const { return root_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// Values by RFC 6901 pointer; nullopt when absent or of another type.
std::optional<std::string_view> string_at(simdjson::dom::element e, std::string_view pointer);
std::optional<int64_t> integer_at(simdjson::dom::element e, std::string_view pointer);
std::optional<double> number_at(simdjson::dom::element e, std::string_view pointer);
// A string, or an integer written as decimal (ids some channels send as numbers).
std::optional<std::string> id_at(simdjson::dom::element e, std::string_view pointer);
std::optional<simdjson::dom::array> array_at(simdjson::dom::element e, std::string_view pointer);

// 400 naming the member a payload lacks (missing_field), or holds with another
// type than the channel documents (wrong_type). `pointer` is looked up in `e`;
// `prefix` is where `e` lies in the body ("/events/2"), for the answer.
response missing(simdjson::dom::element e, std::string_view pointer, std::string_view prefix = "");
// The wrong_type answer when `pointer` names a member that is there but not a string.
std::optional<response> not_a_string(simdjson::dom::element e, std::string_view pointer);

}  // namespace civic::gateway::channels
