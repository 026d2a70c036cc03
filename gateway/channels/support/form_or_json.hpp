#pragma once
// Flat name/value fields from either an application/x-www-form-urlencoded body
// or a JSON object body (strings and numbers), for form-like channels.

#include <string_view>

#include "common/error/expected.hpp"
#include "gateway/channels/channel.hpp"
#include "gateway/channels/support/form.hpp"

namespace civic::gateway::channels {

// 415 for another content type, 400 for a body that is not what it says.
expected<form_fields, response> read_fields(std::string_view content_type, std::string_view body);

}  // namespace civic::gateway::channels
