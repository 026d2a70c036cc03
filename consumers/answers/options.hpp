#pragma once
// Every configuration key of the answers service with its default and meaning
// (`answers --help`), including each channel client's own keys.

#include <chrono>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/config/config.hpp"
#include "common/crypto/reply_token.hpp"
#include "common/error/expected.hpp"
#include "consumers/answers/http/http_client.hpp"

namespace civic::answers {

std::span<const config::option> options();

struct topics {
  std::string unique = "feedback.unique";
  std::string responses = "feedback.responses";
  std::string work = "answers.work";
  std::string changelog = "answers.changelog";
  std::string ledger = "answers.ledger";
  std::string deliveries = "feedback.deliveries";
  std::string deadletter = "feedback.deadletter";
};

struct case_settings {
  size_t max_recipients_per_case = 10000;
  size_t recent_updates = 64;
  int64_t retention_ms = 90LL * 24 * 3600 * 1000;
};

struct delivery_settings {
  int max_attempts = 6;
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_retry_wait{300'000};
  std::chrono::milliseconds summary_interval{3000};
  std::set<std::string, std::less<>> retry_unconfirmed;  // channels that repeat anyway
  http_settings http;
};

struct service_config {
  topics names;
  std::string group_id;
  std::string transactional_id;
  std::string ledger_transactional_prefix;
  std::vector<crypto::named_key> private_keys;
  case_settings cases;
  delivery_settings delivery;
  size_t max_batch_records = 500;
  std::chrono::milliseconds max_batch_wait{50};
  std::chrono::seconds stats_interval{60};
  std::string ops_listen;  // empty: no operations endpoints
  std::chrono::seconds ready_stall{60};
};

expected<service_config, std::string> make_service_config(const config::settings& s);
// The delivery part alone (for `answers send`, which needs no keys or topics).
delivery_settings make_delivery_settings(const config::settings& s);

}  // namespace civic::answers
