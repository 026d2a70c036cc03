#pragma once
// Restoring open cases from the dedup changelog: each partition of the
// changelog holds the latest state of every case of the same-numbered
// repartition partition, written in the same transactions as the output.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "consumers/dedup/case_state.hpp"

namespace civic::dedup {

// Reads the given partitions from the beginning to their end (committed data
// only) and returns, per partition, the latest state of each case that is not
// closed. A value that does not read is logged and skipped.
expected<std::map<int32_t, std::vector<case_state>>, std::string> read_changelog(
    const kafka::properties& kafka, const std::string& topic,
    const std::vector<int32_t>& partitions, std::chrono::milliseconds timeout);

}  // namespace civic::dedup
