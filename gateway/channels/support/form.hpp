#pragma once
// application/x-www-form-urlencoded bodies and query strings (Boost.URL).

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace civic::gateway::channels {

using form_fields = std::map<std::string, std::string, std::less<>>;

// Decoded fields ('+' as space); the first value of a repeated name wins.
// nullopt when the text is not valid urlencoding.
std::optional<form_fields> parse_form(std::string_view encoded);

}  // namespace civic::gateway::channels
