#pragma once
// The answers service: the case steps (case_step.hpp) in one exactly-once
// transaction loop over feedback.unique, feedback.responses and answers.work,
// each partition's recipients restored from answers.changelog on assignment,
// and one delivery worker per assigned partition (delivery_worker.hpp).

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "common/crypto/reply_token.hpp"
#include "common/error/expected.hpp"
#include "common/kafka/service_loop.hpp"
#include "common/kafka/transactional_processor.hpp"
#include "common/ops/ops_server.hpp"
#include "consumers/answers/case_step.hpp"
#include "consumers/answers/delivery_worker.hpp"
#include "consumers/answers/options.hpp"
#include "consumers/answers/rate_gate.hpp"

namespace civic::answers {

class service {
 public:
  static expected<std::unique_ptr<service>, std::string> create(
      service_config config, kafka::properties kafka,
      std::vector<std::unique_ptr<channel_client>> clients);
  ~service();

  std::error_code run();
  void stop() noexcept;  // async-signal-safe

  // For the operations endpoints (any thread).
  ops::readiness readiness() const;
  std::string metrics_text() const;

 private:
  service(service_config config, kafka::properties kafka);
  std::error_code process(std::span<const kafka::consumed_message> batch,
                          std::vector<kafka::record>& out);
  std::error_code restore(const std::vector<int32_t>& partitions);
  void start_workers(const std::vector<int32_t>& partitions);
  void stop_workers(const std::vector<int32_t>& partitions);
  void log_stats(bool force);

  service_config config_;
  kafka::properties kafka_;
  std::vector<std::unique_ptr<channel_client>> clients_;
  std::unique_ptr<crypto::reply_opener> opener_;
  rate_gate rates_;
  worker_shared shared_;
  worker_counters worker_counters_;
  std::map<int32_t, case_book> books_;  // by answers.work partition
  std::map<int32_t, std::unique_ptr<delivery_worker>> workers_;
  kafka::transaction_counters<case_counters> counters_;
  std::error_code fatal_error_;
  std::atomic<bool> worker_failed_{false};
  kafka::stats_pace stats_pace_;
  std::unique_ptr<kafka::transactional_processor> processor_;  // last: destroyed first
};

}  // namespace civic::answers
