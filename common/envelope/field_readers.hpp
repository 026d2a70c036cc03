#pragma once
// Readers for the parts of a message that the envelope parser and the gateway's
// inbound parser both read: a location and a list of media links.
// Include only from .cpp files: it pulls in simdjson.

#include <optional>
#include <string>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/json/reader.hpp"

namespace civic::envelope {

// The envelope writes all four location members (null when unknown); a client
// may leave any of them out.
enum class location_members { all_present, any_present };

std::optional<field_error> read_location(json::value& v, const std::string& pointer,
                                         location_members members, location& out);

// An array of at most limits::media_items http(s) URLs, appended to `out`.
std::optional<field_error> read_media(json::value& v, const std::string& pointer,
                                      std::vector<std::string>& out);

}  // namespace civic::envelope
