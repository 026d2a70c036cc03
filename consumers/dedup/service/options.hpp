#pragma once
// Every configuration key of the dedup service, with its default and meaning
// (`dedup --help` prints this table), and the typed view main() wires from.

#include <chrono>
#include <span>
#include <string>

#include "common/config/config.hpp"
#include "common/error/expected.hpp"
#include "consumers/dedup/case_lifecycle.hpp"
#include "consumers/dedup/deduplicator.hpp"

namespace civic::dedup {

std::span<const config::option> options();

struct topics {
  std::string input = "feedback.ingested";
  std::string repartition = "dedup.repartition";
  std::string changelog = "dedup.changelog";
  std::string unique = "feedback.unique";
  std::string cases = "feedback.cases";
  std::string deadletter = "feedback.deadletter";
  // The answer loop: what is folded into the cases, and where thresholds go.
  std::string responses = "feedback.responses";
  std::string deliveries = "feedback.deliveries";
};

struct service_config {
  dedup_settings dedup;
  topics names;
  std::string rules_file;
  std::string holidays_file;  // read by main, like the rules (empty: weekends only)
  double related_share = 0.3;
  std::string model_file;  // the sentence model's heads; empty: rules only
  std::string model_dir;   // its encoder; empty: the bootstrap cache
  std::string group_id;
  std::string transactional_id;
  size_t max_batch_records = 500;
  std::chrono::milliseconds max_batch_wait{20};  // the option's default
  bool repartition_locally = true;
  std::chrono::seconds stats_interval{60};
  std::string ops_listen;  // empty: no operations endpoints
  std::chrono::seconds ready_stall{60};
  // The answer loop (case_lifecycle.hpp, closed_cases.hpp).
  lifecycle_settings lifecycle;
  int64_t closed_case_retention_ms = 90LL * 24 * 3600 * 1000;
  size_t max_closed_cases = 500'000;
};

// Checks values the option table cannot (thresholds in [0, 1]).
expected<service_config, std::string> make_service_config(const config::settings& s);

}  // namespace civic::dedup
