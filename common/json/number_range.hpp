#pragma once
// Where a document holds a number simdjson cannot represent (beyond a double's
// range, such as 1e400, or an integer beyond 64 bits): simdjson refuses the
// whole document without saying where, which named no field in the error.

#include <optional>
#include <string>
#include <string_view>

namespace civic::json {

// The JSON pointer of the first such number, or nullopt when there is none (or
// the text is not JSON for another reason).
std::optional<std::string> unrepresentable_number_pointer(std::string_view json);

}  // namespace civic::json
