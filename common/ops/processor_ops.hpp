#pragma once
// What a consumer service built on the transactional processor reports on its
// operations endpoints: readiness (assigned partitions restored, transactions
// flowing) and the processor's metrics (lag per partition, transactions,
// records, restores). Each service adds its own families (outcomes, state).

#include <chrono>
#include <string_view>

#include "common/kafka/transactional_processor.hpp"
#include "common/metrics/prometheus_text.hpp"
#include "common/ops/ops_server.hpp"

namespace civic::ops {

// Ready when the instance has joined its group, no restore is running, it is not
// draining, and it committed or was caught up within `stall_after`. The body
// names the reason otherwise.
readiness processor_readiness(const kafka::transactional_processor& p,
                              std::chrono::seconds stall_after);

// <prefix>_consumer_lag{topic,partition}, <prefix>_assigned_partitions,
// <prefix>_transactions_total{outcome}, <prefix>_records_total{direction},
// <prefix>_rebalances_total, <prefix>_restore_seconds_total/_restores_total,
// <prefix>_last_restore_seconds, <prefix>_last_commit_age_seconds, <prefix>_ready.
void write_processor_metrics(metrics::text_writer& w, std::string_view prefix,
                             const kafka::transactional_processor& p,
                             std::chrono::seconds stall_after);

}  // namespace civic::ops
