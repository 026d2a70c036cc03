#pragma once
// Envelope v1 <-> JSON. Parsing is strict: every member of the schema must be
// present, nothing else may be, and every value is checked against the schema's
// limits, so a consumer can trust what it parsed.

#include <string>
#include <string_view>

#include "common/envelope/envelope.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"

namespace civic::envelope {

// Compact JSON in the schema's member order.
std::string to_json(const message& e);
// The same into `out` (replacing what it held): a buffer reused from message to
// message keeps its capacity, so writing allocates nothing.
void write_json(const message& e, std::string& out);

// Uses one reused simdjson parser per thread.
expected<message, field_error> parse_json(std::string_view json);

}  // namespace civic::envelope
