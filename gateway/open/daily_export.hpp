#pragma once
// The daily open-data export: every case opened on one day (the city's
// calendar day) as CSV and JSON Lines, and the data dictionary (field, type,
// meaning). Pure and deterministic: the same cases give the same bytes (rows
// in opened order then public id, fixed columns, no wall clock: `late` is left
// out, `on_time` says what the record says).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gateway/open/public_case.hpp"

namespace civic::gateway::open {

struct export_files {
  std::string csv;
  std::string jsonl;
  std::string dictionary_csv;
  size_t rows = 0;
};

// `day`: days since 1970-01-01 in the city's time; cases opened that day only.
export_files build_export(std::span<const public_case> cases, int64_t day, int utc_offset_minutes);

}  // namespace civic::gateway::open
