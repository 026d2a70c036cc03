#pragma once
// A classification as JSON, the same for `router classify` and the routed
// messages on division.<id>:
//   "divisions":["water","roads"],"kind":"complaint","district":"Jongno-gu",
//   "urgency":"normal","matched":[{"rule":"water.flooding","target":"water",
//   "weight":3,"terms":["침수"]},...]

#include <string>
#include <string_view>

#include "common/json/writer.hpp"
#include "consumers/classify/classifier.hpp"

namespace civic::classify {

// Writes the members above into the JSON object `w` has open.
void write_members(json::writer& w, const classification& c);

// One line of `router classify` output: {"id":...,<members>}.
std::string to_json_line(std::string_view id, const classification& c);

}  // namespace civic::classify
