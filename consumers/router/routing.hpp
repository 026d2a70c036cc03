#pragma once
// The router's work on one record of feedback.unique, apart from Kafka: parse the
// envelope, classify it, and write one routed message per division (or one
// dead letter saying why the record cannot be read). Tests call it directly.

#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/record.hpp"
#include "consumers/classify/classifier.hpp"

namespace civic::router {

inline constexpr std::string_view case_id_header = "civic-case-id";
inline constexpr std::string_view deadletter_reason_header = "civic-deadletter-reason";
inline constexpr std::string_view deadletter_source_header = "civic-deadletter-source";
inline constexpr std::string_view routed_schema = "routed-message.v1";

struct topic_names {
  std::string input = "feedback.unique";
  std::string division_prefix = "division.";  // + division id
  std::string deadletter = "feedback.deadletter";
};

struct inbound {
  std::string_view topic;
  std::string_view key;
  std::string_view value;
  std::vector<kafka::header> headers;
};

struct route_counters {
  uint64_t messages = 0;
  uint64_t routed_records = 0;  // one per division
  uint64_t two_divisions = 0;
  uint64_t triage = 0;
  uint64_t urgent = 0;
  uint64_t deadlettered = 0;
  uint64_t text_unmatched = 0;  // the term matcher failed on the text: sent to triage, logged
};

// Appends the records for `in` to `out`.
void route(const inbound& in, const classify::classifier& rules, const topic_names& names,
           std::vector<kafka::record>& out, route_counters& counters);

}  // namespace civic::router
