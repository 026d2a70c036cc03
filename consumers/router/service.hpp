#pragma once
// The router service: feedback.unique -> division.<id>, exactly once. Each batch
// of input records and the routed messages it produces are written in one Kafka
// transaction together with the input offsets (common/kafka/transactional_processor),
// so a crash neither loses nor duplicates a routed message.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "common/kafka/service_loop.hpp"
#include "common/kafka/transactional_processor.hpp"
#include "common/ops/ops_server.hpp"
#include "consumers/router/options.hpp"
#include "consumers/router/routing.hpp"
#include "consumers/router/rules_reloader.hpp"

namespace civic::router {

class service {
 public:
  static expected<std::unique_ptr<service>, std::string> create(service_config config,
                                                                kafka::properties kafka);

  std::error_code run();
  // Async-signal-safe.
  void stop() noexcept { processor_->stop(); }
  void reload_rules() noexcept { rules_->request_reload(); }

  // For the operations endpoints; thread-safe.
  ops::readiness readiness() const;
  std::string metrics_text() const;
  const service_config& config() const { return config_; }

 private:
  service(service_config config, kafka::properties kafka)
      : config_(std::move(config)), kafka_(std::move(kafka)) {}
  std::error_code process(std::span<const kafka::consumed_message> batch,
                          std::vector<kafka::record>& out);
  void log_stats(bool force);

  service_config config_;
  kafka::properties kafka_;
  std::unique_ptr<rules_reloader> rules_;
  std::unique_ptr<kafka::transactional_processor> processor_;
  kafka::transaction_counters<route_counters> counters_;
  // Under counters_' publishing lock.
  uint64_t published_reloads_ = 0, published_refused_ = 0;
  kafka::stats_pace stats_pace_{config_.stats_interval};
};

// Reads configuration from args (file -> env -> flags), runs until SIGTERM/SIGINT,
// reloads the rules on SIGHUP. Returns the process exit code.
int run_service(std::span<const std::string_view> args);

}  // namespace civic::router
