#pragma once
// A classification as JSON, the same for `router classify` and the routed
// messages on division.<id>:
//   "divisions":["water","roads"],"kind":"complaint","district":"Jongno-gu",
//   "urgency":"normal","matched":[{"rule":"water.flooding","target":"water",
//   "weight":3,"terms":["침수"]},...]

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "consumers/classify/classifier.hpp"

namespace civic::classify {

// Writes the members above into the JSON object `w` has open.
void write_members(rapidjson::Writer<rapidjson::StringBuffer>& w, const classification& c);

// One line of `router classify` output: {"id":...,<members>}.
std::string to_json_line(std::string_view id, const classification& c);

}  // namespace civic::classify
