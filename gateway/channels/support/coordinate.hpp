#pragma once
// A latitude or longitude as a form writes it: a finite decimal number within its
// range. std::from_chars also reads "nan", "inf" and "infinity", which no
// comparison with a range refuses and no JSON can hold.

#include <optional>
#include <string_view>

namespace civic::gateway::channels {

std::optional<double> latitude(std::string_view text);
std::optional<double> longitude(std::string_view text);

}  // namespace civic::gateway::channels
