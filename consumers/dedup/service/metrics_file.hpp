#pragma once
// dedup's counters for Prometheus, as a text file in the exposition format that
// node_exporter's textfile collector (or any file scraper) reads: the service
// has no HTTP port of its own. The counters are those of committed
// transactions, so they never count work that was rolled back.

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

#include "consumers/dedup/service/stages.hpp"

namespace civic::dedup {

std::string prometheus_text(const step_counters& counters, std::size_t open_cases);

// Replaces the file in one step (write a sibling, then rename), so a scraper
// never reads half a file.
std::error_code write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace civic::dedup
