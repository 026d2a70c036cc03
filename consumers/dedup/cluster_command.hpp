#pragma once
// `dedup cluster`: corpus lines in (arrival order) on `in`, one JSON line per
// input line on `out`:
// {"id":..,"case":..,"duplicate_of":..,"match":..,"divisions":[..],"district":..}. The same
// deduplicator as the service decides; people tuning thresholds and the tests use it. A line that
// cannot be read gives {"id":null,"error":".."}.

#include <iosfwd>

#include "consumers/dedup/deduplicator.hpp"
#include "consumers/dedup/placement.hpp"

namespace civic::dedup {

struct cluster_totals {
  size_t lines = 0;
  size_t errors = 0;
  size_t new_cases = 0;
  size_t near_duplicates = 0;
  size_t exact_duplicates = 0;
};

cluster_totals run_cluster(std::istream& in, std::ostream& out, const dedup_settings& settings,
                           const placement_function& place);

}  // namespace civic::dedup
