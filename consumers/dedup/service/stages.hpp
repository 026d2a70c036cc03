#pragma once
// The two steps of the dedup service, free of the Kafka client so tests call
// them directly. Both run inside one consume-transform-produce transaction
// loop (common/kafka/transactional_processor):
//
//  1. route: feedback.ingested (keyed by idempotency key, so a report and its
//     retries meet, but near-duplicates are scattered) -> dedup.repartition,
//     keyed by the report's locality (its district, or "citywide"), so every
//     report a case may take lands on the case's partition (a case never spans
//     two districts). Unreadable records -> deadletter.
//  2. deduplicate: dedup.repartition partition p -> feedback.unique (exact
//     duplicates left out), feedback.cases, and the changelog partition p.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/civic_headers.hpp"
#include "common/kafka/record.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/dedup/deduplicator.hpp"
#include "consumers/dedup/placement.hpp"
#include "consumers/dedup/service/options.hpp"

namespace civic::dedup {

// One consumed record, as the steps need it.
struct inbound_record {
  std::string_view topic;
  int32_t partition = -1;
  std::string_view key;
  std::string_view value;
  std::vector<kafka::header> headers;
};

// Headers dedup adds for its own use between the steps; never copied on.
inline constexpr std::string_view divisions_header = "civic-dedup-divisions";
inline constexpr std::string_view related_header = "civic-dedup-related";
inline constexpr std::string_view district_header = "civic-dedup-district";
using classify::model::embedding_header;
using classify::model::embedding_model_header;
inline constexpr std::string_view kind_header = "civic-dedup-kind";
inline constexpr std::string_view urgency_header = "civic-dedup-urgency";
using kafka::case_id_header;
using kafka::deadletter_reason_header;
using kafka::deadletter_source_header;

struct step_counters {
  uint64_t routed = 0;
  uint64_t deadlettered = 0;
  uint64_t new_cases = 0;
  uint64_t near_duplicates = 0;
  uint64_t exact_duplicates = 0;
  uint64_t cases_closed = 0;
};

// Step 1: one record for dedup.repartition or feedback.deadletter.
kafka::record route_ingested(const inbound_record& in, const placement_function& place,
                             const topics& names, step_counters& counters);

// Step 2: the records for feedback.unique, feedback.cases and the changelog
// (partition = the input partition), plus closed cases.
void deduplicate_repartitioned(const inbound_record& in, deduplicator& engine,
                               const placement_function& place, const topics& names,
                               std::vector<kafka::record>& out, step_counters& counters);

// The feedback.unique key: the district, or "citywide" when the report has none.
std::string locality_key(const report& r);

}  // namespace civic::dedup
