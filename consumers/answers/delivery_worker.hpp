#pragma once
// The delivery worker of one ledger partition, on its own thread while the
// instance holds the partition: it fences the partition's previous worker
// (ledger_writer), reads the ledger partition from its beginning (the jobs left
// to do), then delivers job after job (delivery.hpp), committing each attempt
// before its request and each outcome with its feedback.deliveries records.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/reply_token.hpp"
#include "common/kafka/client_config.hpp"
#include "consumers/answers/channels/channel_client.hpp"
#include "consumers/answers/options.hpp"
#include "consumers/answers/rate_gate.hpp"

namespace civic::answers {

struct worker_shared {
  kafka::properties kafka;
  topics names;
  std::string transactional_prefix;
  delivery_settings settings;
  std::map<std::string, const channel_client*, std::less<>> clients;
  const crypto::reply_opener* opener = nullptr;
  rate_gate* rates = nullptr;
  // Called on the worker's thread when it ends without being stopped (its ledger
  // could not be read or written): the partition's deliveries would stall unseen.
  std::function<void(int32_t partition)> on_failed;
};

struct worker_counters {
  std::atomic<uint64_t> finished{0};
  std::array<std::atomic<uint64_t>, 6> outcomes{};  // by responses::delivery_outcome
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> fenced{0};
};

class delivery_worker {
 public:
  delivery_worker(int32_t partition, const worker_shared& shared, worker_counters& counters);
  ~delivery_worker();  // stops and joins
  delivery_worker(const delivery_worker&) = delete;
  delivery_worker& operator=(const delivery_worker&) = delete;

  void start();
  // Finishes the request in flight (and records its outcome), then returns.
  void stop();

 private:
  void run();

  int32_t partition_;
  const worker_shared& shared_;
  worker_counters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace civic::answers
