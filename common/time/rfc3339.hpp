#pragma once
// RFC 3339 timestamps as this project writes and reads them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace civic {

// "2026-11-22T01:02:03.456Z": UTC, millisecond precision, always 24 characters.
std::string format_rfc3339_utc(std::chrono::system_clock::time_point t);

// Accepts any RFC 3339 date-time ("2025-02-20T10:12:33+09:00", "...Z", with or
// without a fraction of a second) for years 1900 to 2200; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace civic
