#pragma once
// The one Kafka consumer of a gateway process for its subscribers: no consumer
// group (every gateway must see everything), assigned every partition of the
// division.<id> topics and of feedback.cases, read_committed (the router and
// dedup write in transactions), feeding the hub on its own thread. It starts
// feedback.cases from the beginning (the open cases for snapshots) and each
// division partition `prefill` records before its end (recent positions resume
// from memory after a restart); topics and partitions that appear later are
// found by a metadata refresh and read from their beginning.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "gateway/subscribe/hub.hpp"

namespace civic::gateway::subscribe {

struct live_reader_settings {
  kafka::properties kafka;         // bootstrap.servers and any client property
  int64_t prefill_records = 1000;  // per division partition
  std::chrono::milliseconds metadata_refresh{10'000};
  std::chrono::milliseconds sweep_interval{100};
};

class live_reader {
 public:
  static expected<std::unique_ptr<live_reader>, std::string> start(live_reader_settings s, hub& h);
  ~live_reader();  // stops the thread

  // Kafka answered the last metadata request.
  bool kafka_reachable() const { return reachable_; }

 private:
  struct impl;
  explicit live_reader(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  std::atomic<bool> reachable_{false};
};

}  // namespace civic::gateway::subscribe
