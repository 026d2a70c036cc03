#pragma once
// The dedup service: both steps (stages.hpp) in one exactly-once transaction
// loop, the per-partition deduplicators restored from the changelog when
// partitions are assigned and after an aborted transaction.
//
// A record step 1 re-keys onto a repartition partition this instance owns goes
// straight to step 2 in the same transaction, instead of a round trip through
// dedup.repartition (one transaction less on a message's way to the division
// topics: with one instance, every record). Exactly-once is unchanged: the
// input offset, the case and its changelog commit together or not at all.
// Records for partitions other instances own still go through the topic.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
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
  // Step 1's output: to step 2 at once when its partition is owned here, else out.
  void forward(kafka::record rec, std::vector<kafka::record>& out, step_counters& counters);
  void deduplicate(const inbound_record& in, std::vector<kafka::record>& out,
                   step_counters& counters);
  // The repartition topic's partition count, from the broker (0: unknown, and
  // every record then goes through the topic with the partitioner's choice).
  void learn_repartition_partitions();
  void log_stats(bool force);

  service_config config_;
  kafka::properties kafka_;
  placement_function place_;
  std::map<int32_t, deduplicator> engines_;  // by repartition partition
  std::map<int32_t, closed_cases> closed_;   // closed cases still answerable, by partition
  std::set<int32_t> owned_repartition_;      // assigned partitions of the repartition topic
  int32_t repartition_partitions_ = 0;
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
