#pragma once
// Exactly-once consume-transform-produce (KIP-447): reads committed records as a
// consumer-group member, hands them to the service in batches, and writes the
// service's output records together with the input offsets in one Kafka
// transaction. A crash at any moment leaves either the whole batch's output and
// offsets, or neither; the batch is then read again.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/record.hpp"

namespace civic::kafka {

struct topic_partition {
  std::string topic;
  int32_t partition = -1;
  friend bool operator==(const topic_partition&, const topic_partition&) = default;
};

class transactional_processor {
 public:
  struct settings {
    // bootstrap.servers and any librdkafka overrides, given to both clients.
    properties kafka;
    std::string group_id;
    // Stable per instance (a restarted instance fences its predecessor).
    std::string transactional_id;
    std::vector<std::string> input_topics;
    std::size_t max_batch_records = 500;
    // A batch also ends once its records hold this many bytes (bounds memory).
    std::size_t max_batch_bytes = 16u << 20;
    // How long a batch waits to fill before it is processed anyway. Each hop of the
    // pipeline adds it to a message's way to the division topics; 20 ms rather than
    // 50 took script/bench's end-to-end p50 at 1,000/s from 433 to 315 ms for about
    // 0.1 core more broker CPU (more, smaller transactions).
    std::chrono::milliseconds max_batch_wait{20};
    // kafka.transaction.timeout.ms in `kafka` overrides it. How long a dead
    // instance's open transaction holds up the partitions' readers (read_committed)
    // before the broker aborts it.
    std::chrono::milliseconds transaction_timeout{60'000};
    // The same batch aborted this many times in a row (with growing pauses in
    // between) stops run() with the last error: a record that can never be
    // processed must page someone, not stall its partition in silence.
    int max_consecutive_aborts = 8;
  };

  struct handlers {
    // Transforms one batch (all from assigned partitions, in offset order per
    // partition) and appends the records to write. An error (or an exception)
    // aborts the transaction: on_aborted is called and the batch is read again.
    std::function<std::error_code(std::span<const consumed_message> batch,
                                  std::vector<record>& out)>
        process;
    // After partitions are assigned, before any of their records reach process:
    // restore per-partition state. An error stops run() with that error.
    std::function<std::error_code(const std::vector<topic_partition>&)> on_assigned;
    // Before partitions are taken away (between transactions): drop their state.
    std::function<void(const std::vector<topic_partition>&)> on_revoked;
    // After a transaction was aborted: forget every state change process made
    // since the last commit (typically: on_revoked + on_assigned for all).
    std::function<void()> on_aborted;
    // After each committed transaction (for metrics and tests).
    std::function<void(std::size_t records_in, std::size_t records_out)> on_committed;
  };

  static expected<std::unique_ptr<transactional_processor>, std::string> create(settings s,
                                                                                handlers h);

  transactional_processor(const transactional_processor&) = delete;
  transactional_processor& operator=(const transactional_processor&) = delete;
  ~transactional_processor();

  // Processes batches until stop() is called (then returns empty after the open
  // transaction is committed or aborted) or a fatal error occurs (fenced by a newer
  // instance, unrecoverable producer error): that error is returned.
  std::error_code run();

  // After run() returned: leaves the consumer group so that the partitions move to
  // the other instances at once (a static member, group.instance.id, would keep
  // them until session.timeout.ms otherwise), waiting up to `timeout` for the
  // revocation. The destructor then closes the clients. A crash (kill -9) leaves
  // no chance for this: then static membership lets the restarted instance take
  // its partitions back.
  void leave_group(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Thread-safe and async-signal-safe: asks run() to return.
  void stop() noexcept {
    stopping_.store(true, std::memory_order_relaxed);
    health_.stopping.store(true, std::memory_order_relaxed);
  }

  struct counters {
    std::atomic<uint64_t> transactions_committed{0};
    std::atomic<uint64_t> transactions_aborted{0};
    std::atomic<uint64_t> records_in{0};
    std::atomic<uint64_t> records_out{0};
    std::atomic<uint64_t> rebalances{0};  // assignments received
    // Where committed transactions spent their time, in nanoseconds summed over
    // all of them (rate over transactions_committed: the mean of each phase).
    // Each hop of the pipeline waits about one transaction before its records
    // are visible downstream, so these say what a message's latency is made of.
    enum phase : std::size_t { batch_wait, transform, produce, offsets, commit, phases };
    std::array<std::atomic<uint64_t>, phases> phase_ns{};
  };
  const counters& stats() const { return counters_; }

  // What an operations endpoint reports; every member is safe to read from any
  // thread while run() goes on.
  struct health {
    // A first assignment arrived and on_assigned (the state restore) finished.
    std::atomic<bool> joined{false};
    std::atomic<bool> restoring{false};
    std::atomic<bool> stopping{false};
    std::atomic<int32_t> assigned_partitions{0};
    std::atomic<int> aborts_in_a_row{0};
    // steady_clock nanoseconds of the last commit, and of the last moment the
    // processor was caught up or committed (0: never): a growing age means the
    // transactions are not flowing while records wait.
    std::atomic<int64_t> last_commit_ns{0};
    std::atomic<int64_t> last_progress_ns{0};
    // Durations of on_assigned (restores), in seconds.
    std::atomic<uint64_t> restores{0};
    std::atomic<double> last_restore_seconds{0};
    std::atomic<double> restore_seconds_total{0};
  };
  const health& state() const { return health_; }

  struct partition_lag {
    std::string topic;
    int32_t partition = -1;
    // The partition's end (last stable offset when reading committed) minus the
    // next offset this instance reads; -1 while unknown (no fetch yet).
    int64_t lag = -1;
  };
  // The assigned partitions and their lag, from the consumer's cached fetch
  // results (no broker round trip). Thread-safe.
  std::vector<partition_lag> lag() const;

  rd_kafka_t* native_consumer() const;

 private:
  struct impl;
  explicit transactional_processor(std::unique_ptr<impl> p);

  std::unique_ptr<impl> impl_;
  std::atomic<bool> stopping_{false};
  counters counters_;
  health health_;
};

}  // namespace civic::kafka
