#pragma once
// What the consumers' exactly-once services (dedup, router, answers) share around their
// transactional_processor: the settings of an instance, the counters a transaction changes,
// the pace of their stats lines.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/kafka/transactional_processor.hpp"
#include "common/log/log.hpp"

namespace civic::kafka {

enum class membership {
  dynamic,
  // The instance joins the group under its transactional id (group.instance.id; the
  // service's kafka.group.instance.id overrides it): a restarted instance takes its
  // partitions back at once instead of waiting for the group to notice the old one is gone.
  static_by_transactional_id,
};

// A service's processor settings from its config (group_id, transactional_id,
// max_batch_records, max_batch_wait) and its librdkafka properties.
template <class ServiceConfig>
transactional_processor::settings service_settings(const ServiceConfig& config,
                                                   const properties& kafka,
                                                   std::vector<std::string> input_topics,
                                                   membership m) {
  transactional_processor::settings s;
  if (m == membership::static_by_transactional_id) {
    s.kafka = {{"group.instance.id", config.transactional_id}};
  }
  s.kafka.insert(s.kafka.end(), kafka.begin(), kafka.end());
  s.group_id = config.group_id;
  s.transactional_id = config.transactional_id;
  s.input_topics = std::move(input_topics);
  s.max_batch_records = config.max_batch_records;
  s.max_batch_wait = config.max_batch_wait;
  return s;
}

// The partitions of `topic` among `assigned`.
inline std::vector<int32_t> partitions_of(const std::vector<topic_partition>& assigned,
                                          const std::string& topic) {
  std::vector<int32_t> partitions;
  for (const auto& tp : assigned) {
    if (tp.topic == topic) partitions.push_back(tp.partition);
  }
  return partitions;
}

// The partitions a service holds state for (the keys of its map by partition).
template <class State>
std::vector<int32_t> partitions_held(const std::map<int32_t, State>& by_partition) {
  std::vector<int32_t> partitions;
  for (const auto& [p, state] : by_partition) partitions.push_back(p);
  return partitions;
}

// Counters the batches of a transaction change: rolled back to the last commit when the
// transaction aborts, and published at each commit for the operations endpoint's thread.
template <class Counters>
class transaction_counters {
 public:
  Counters& live() { return live_; }
  const Counters& live() const { return live_; }

  // on_aborted: forget what the aborted batch counted.
  void roll_back() { live_ = committed_; }

  // on_committed: the live counters are committed and published; `also` publishes more
  // under the same lock.
  template <class Also>
  void commit(Also&& also) {
    committed_ = live_;
    std::lock_guard lock(published_mutex_);
    published_ = committed_;
    also();
  }
  void commit() {
    commit([] {});
  }

  // Calls read(published counters) under the lock that commit() publishes under.
  template <class Read>
  void read_published(Read&& read) const {
    std::lock_guard lock(published_mutex_);
    read(published_);
  }
  Counters published() const {
    std::lock_guard lock(published_mutex_);
    return published_;
  }

 private:
  Counters live_;
  Counters committed_;
  mutable std::mutex published_mutex_;
  Counters published_;
};

// on_aborted of a service whose state by partition is restored from a changelog: forget
// what the aborted batch counted and restore the held partitions again (restore(partitions)
// returns an error_code). Without its state the service must not go on: a failure is logged
// as `failed_event` and kept in `fatal`, which run() returns so that the process exits
// non-zero and is restarted, and stop() is called.
template <class Counters, class State, class Restore, class Stop>
void restore_after_abort(transaction_counters<Counters>& counters,
                         const std::map<int32_t, State>& held, Restore&& restore,
                         std::string_view failed_event, std::error_code& fatal, Stop&& stop) {
  counters.roll_back();
  if (auto error = restore(partitions_held(held))) {
    log::error(failed_event, {{"error", error.message()}});
    fatal = error;
    stop();
  }
}

// When a service's periodic stats line is due: the first at once, then at most one an
// interval, and always when forced (the last one, at the end of run()).
class stats_pace {
 public:
  explicit stats_pace(std::chrono::steady_clock::duration interval) : interval_(interval) {}
  bool due(bool force) {
    auto now = std::chrono::steady_clock::now();
    if (!force && last_ && now - *last_ < interval_) return false;
    last_ = now;
    return true;
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace civic::kafka
