#pragma once
// The router's work on one record of feedback.unique, apart from Kafka: parse the
// envelope, classify it, and write one routed message per division (or one
// dead letter saying why the record cannot be read). Tests call it directly.

#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/civic_headers.hpp"
#include "common/kafka/record.hpp"
#include "consumers/classify/classifier.hpp"

namespace civic::router {

using kafka::case_id_header;
using kafka::deadletter_reason_header;
using kafka::deadletter_source_header;
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
  int32_t partition = -1;  // where it was read, named by a dead letter that cannot carry it
  int64_t offset = -1;
};

// Sizes the router keeps to, so that no record it writes is refused by the
// broker (which would abort the transaction again on every retry). A record's
// size here is its key, value and headers.
struct route_limits {
  // An input record larger than this is not routed: a dead letter names it.
  std::size_t max_input_bytes = 512 * 1024;
  // No record written is larger than this (below the broker's and the
  // producer's message.max.bytes, librdkafka's 1,000,000 by default, with room
  // for the framing of headers).
  std::size_t max_output_bytes = 960'000;
};

struct route_counters {
  uint64_t messages = 0;
  uint64_t routed_records = 0;  // one per division
  uint64_t two_divisions = 0;
  uint64_t triage = 0;
  uint64_t urgent = 0;
  uint64_t deadlettered = 0;
  uint64_t too_large = 0;  // dead-lettered because of route_limits (also counted in deadlettered)
  uint64_t text_unmatched = 0;     // the term matcher failed on the text: sent to triage, logged
  uint64_t embeddings_reused = 0;  // the sentence model used the embedding dedup carried
};

// Appends the records for `in` to `out`: one per division, or one dead letter
// (unreadable, or too large for `limits`: then the value is the input itself
// when it fits, else a small JSON reference to where the input lies).
void route(const inbound& in, const classify::classifier& rules, const topic_names& names,
           std::vector<kafka::record>& out, route_counters& counters,
           const route_limits& limits = {});

}  // namespace civic::router
