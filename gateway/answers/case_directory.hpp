#pragma once
// The gateway's view of every case, read from feedback.cases (compacted) by a
// consumer of its own that is assigned every partition (not a group member:
// every gateway instance must know every case) and follows the topic live.
// What the answers API and Open311 need, and nothing personal: the case's
// divisions and locality (who may update it, where its responses go), its
// lifecycle status, times and latest answer, and its Open311 request ids.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/responses/case_status.hpp"

namespace civic::gateway::answers {

struct case_update_note {
  std::string update_id;
  responses::case_status status = responses::case_status::received;
  std::string at;
  std::string note;
};

struct open311_request {
  std::string id;
  std::string requested_at;
};

struct case_summary {
  std::string id;
  std::vector<std::string> divisions;  // primary first
  std::string locality;                // district, or "citywide"
  std::string kind = "complaint";      // the first report's: only an "idea" gathers support
  responses::case_status status = responses::case_status::received;
  std::string first_seen;
  std::string updated_at;  // "" before any update
  std::optional<std::string> expected_at;
  std::string answer;  // the latest answer ("" none)
  uint64_t support_count = 0;
  std::vector<open311_request> requests;
  std::vector<case_update_note> history;  // kept only for cases with Open311 requests
};

// Reads one feedback.cases value; errors name what is missing.
expected<case_summary, std::string> summary_from_case_json(std::string_view json);

class case_directory {
 public:
  struct settings {
    std::string topic = "feedback.cases";
    kafka::properties kafka;
    // Also told every record, on the reader thread (the open-data catalog).
    std::function<void(std::string_view key, std::optional<std::string_view> value)> observer;
  };

  // Starts reading at once; lookups answer from what was read so far.
  static expected<std::unique_ptr<case_directory>, std::string> start(settings s);
  // For tests: a directory filled by hand.
  case_directory();
  ~case_directory();

  std::optional<case_summary> find(const std::string& case_id) const;
  std::optional<case_summary> find_by_request(const std::string& service_request_id) const;
  // The cases whose short reference (common/responses/case_reference.hpp) this is.
  std::vector<case_summary> find_by_reference(const std::string& reference) const;
  // Every Open311 request with its case, for requests.json.
  std::vector<std::pair<open311_request, case_summary>> requests() const;

  // The topic was read to its end once since the start.
  bool caught_up() const { return caught_up_.load(std::memory_order_relaxed); }
  size_t size() const;

  // A feedback.cases record (tests call it directly; the reader thread too).
  void apply(std::string_view key, std::optional<std::string_view> value);

 private:
  void run();

  settings settings_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, case_summary> cases_;
  std::unordered_map<std::string, std::string> by_request_;         // service_request_id -> case id
  std::unordered_multimap<std::string, std::string> by_reference_;  // short reference -> case id
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> stopping_{false};
  std::thread reader_;
  struct kafka_state;
  std::unique_ptr<kafka_state> kafka_;
};

}  // namespace civic::gateway::answers
