#pragma once
// Name/value fields from either an application/x-www-form-urlencoded body or a
// JSON object body (strings and numbers; an object member's members as
// "name[key]", an array's items as "name[]"), for form-like channels.

#include <string_view>

#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "gateway/channels/channel.hpp"
#include "gateway/channels/support/form.hpp"

namespace civic::gateway::channels {

// unsupported_media_type for another content type; malformed_json, invalid_utf8
// or wrong_type for a JSON body that is not an object.
expected<form_pairs, field_error> read_fields(std::string_view content_type, std::string_view body);

}  // namespace civic::gateway::channels
