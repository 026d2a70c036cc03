#pragma once
// Restoring a service's state from a compacted topic: reads the given
// partitions from the beginning to their end, committed data only, after
// waiting until no transaction is pending on them (Kafka acknowledges a commit
// before the transaction's markers reach the partitions, so reading at once
// could miss the previous owner's last commit; a dead writer's open transaction
// holds the wait until transaction.timeout.ms, when the broker aborts it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/client_config.hpp"

namespace civic::kafka {

// value: nullopt for a tombstone. Records of one partition come in offset order.
using compacted_record_handler = std::function<void(int32_t partition, std::string_view key,
                                                    std::optional<std::string_view> value)>;

// An error message, or nullopt once every partition was read to its end.
std::optional<std::string> read_compacted(const properties& kafka, const std::string& topic,
                                          const std::vector<int32_t>& partitions,
                                          std::chrono::milliseconds timeout,
                                          const compacted_record_handler& on_record);

}  // namespace civic::kafka
