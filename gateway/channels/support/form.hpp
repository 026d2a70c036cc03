#pragma once
// application/x-www-form-urlencoded bodies and query strings, parsed as the
// WHATWG URL Standard says (§5.1) and as browsers and Open311 clients send
// them: split on '&', the name before the first '=', '+' as space, %XX decoded,
// anything else taken as it is (raw '[' and ']' in attribute[CODE], a stray
// '%'), and bytes that are not UTF-8 replaced by U+FFFD. Every input parses.
//
// Written here rather than with Boost.URL: its parse_query follows RFC 3986's
// query grammar and refuses what WHATWG accepts (raw brackets, a lone '%').

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civic::gateway::channels {

// Every name/value pair in order, repeated names included.
using form_pairs = std::vector<std::pair<std::string, std::string>>;
form_pairs parse_form_pairs(std::string_view encoded);
// The first non-empty value of `name`; nullopt when there is none.
std::optional<std::string> first_value(const form_pairs& pairs, std::string_view name);

// By name; the first value of a repeated name wins.
using form_fields = std::map<std::string, std::string, std::less<>>;
form_fields parse_form(std::string_view encoded);

}  // namespace civic::gateway::channels
