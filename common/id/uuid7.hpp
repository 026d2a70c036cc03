#pragma once
// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so ids sort by
// creation time. Thread-safe; each thread has its own random generator.

#include <chrono>
#include <string>

namespace civic {

std::string make_uuid7(
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace civic
