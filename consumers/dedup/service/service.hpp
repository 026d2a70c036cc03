#pragma once
// The dedup service: both steps (stages.hpp) in one exactly-once transaction
// loop, the per-partition deduplicators restored from the changelog when
// partitions are assigned and after an aborted transaction.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <system_error>

#include "common/error/expected.hpp"
#include "common/kafka/service_loop.hpp"
#include "common/kafka/transactional_processor.hpp"
#include "common/ops/ops_server.hpp"
#include "consumers/dedup/placement.hpp"
#include "consumers/dedup/service/options.hpp"
#include "consumers/dedup/service/stages.hpp"

namespace civic::dedup {

class service {
 public:
  static expected<std::unique_ptr<service>, std::string> create(service_config config,
                                                                kafka::properties kafka,
                                                                placement_function place);

  // Until stop() or a fatal Kafka error (returned); then leaves the group.
  std::error_code run();
  // Async-signal-safe.
  void stop() noexcept;

  // For the operations endpoints; thread-safe.
  ops::readiness readiness() const;
  std::string metrics_text() const;

 private:
  std::error_code fatal_error_;  // set when the state could not be restored
  service(service_config config, kafka::properties kafka, placement_function place);

  std::error_code process(std::span<const kafka::consumed_message> batch,
                          std::vector<kafka::record>& out);
  std::error_code restore(const std::vector<int32_t>& partitions);
  void log_stats(bool force);

  service_config config_;
  kafka::properties kafka_;
  placement_function place_;
  std::map<int32_t, deduplicator> engines_;  // by repartition partition
  std::map<int32_t, closed_cases> closed_;   // closed cases still answerable, by partition
  closed_cases& closed_of(int32_t partition);
  size_t open_cases() const;
  // What /metrics shows: the committed counters and open cases, published at each commit.
  kafka::transaction_counters<step_counters> counters_;
  size_t published_open_cases_ = 0;  // under counters_' publishing lock
  kafka::stats_pace stats_pace_;
  // Last: destroyed first, since closing it calls back into the members above.
  std::unique_ptr<kafka::transactional_processor> processor_;
};

}  // namespace civic::dedup
