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
//
// The answer loop rides on the same two steps: feedback.responses (status
// changes, answers, support) and feedback.deliveries' summaries are re-keyed in
// step 1 by the locality they carry, so they meet their case on its partition,
// in order with its reports; step 2 folds them into the case (case_lifecycle.hpp).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/civic_headers.hpp"
#include "common/kafka/record.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/dedup/case_lifecycle.hpp"
#include "consumers/dedup/deduplicator.hpp"
#include "consumers/dedup/placement.hpp"
#include "consumers/dedup/service/closed_cases.hpp"
#include "consumers/dedup/service/options.hpp"

namespace civic::dedup {

using inbound_record = kafka::consumed_record;

// Headers dedup adds for its own use between the steps; never copied on.
inline constexpr std::string_view divisions_header = "civic-dedup-divisions";
inline constexpr std::string_view related_header = "civic-dedup-related";
inline constexpr std::string_view district_header = "civic-dedup-district";
// What a dedup.repartition record is when it is not a report: "response", "delivery".
inline constexpr std::string_view input_kind_header = "civic-dedup-input";
using classify::model::embedding_header;
using classify::model::embedding_model_header;
inline constexpr std::string_view kind_header = "civic-dedup-kind";
inline constexpr std::string_view urgency_header = "civic-dedup-urgency";
using kafka::case_id_header;
using kafka::deadletter_reason_header;
using kafka::deadletter_source_header;

struct step_counters {
  uint64_t routed = 0;
  // Routed records whose partition this instance owns: deduplicated in the same
  // transaction, never written to the repartition topic.
  uint64_t repartitioned_locally = 0;
  uint64_t deadlettered = 0;
  uint64_t new_cases = 0;
  uint64_t near_duplicates = 0;
  uint64_t exact_duplicates = 0;
  uint64_t cases_closed = 0;
  // The answer loop.
  uint64_t responses_folded = 0;     // updates and support that changed a case
  uint64_t responses_repeated = 0;   // a repeat (same id, same supporter): nothing changed
  uint64_t responses_unmatched = 0;  // no such case on its partition: dead-lettered
  uint64_t thresholds_crossed = 0;
  uint64_t deliveries_folded = 0;
  uint64_t cases_retired = 0;  // closed cases that left the state after the retention
};

// The lifecycle side of one partition: closed cases still answerable, and the settings.
struct lifecycle_context {
  closed_cases& closed;
  const lifecycle_settings& settings;
};

// Step 1: one record for dedup.repartition or feedback.deadletter.
kafka::record route_ingested(const inbound_record& in, const placement_function& place,
                             const topics& names, step_counters& counters);

// Step 1 for feedback.responses: the record re-keyed by the case's locality, or a
// dead letter when it does not read.
kafka::record route_response(const inbound_record& in, const topics& names,
                             step_counters& counters);
// Step 1 for feedback.deliveries: summaries re-keyed by locality; outcomes of
// single recipients are not dedup's (nullopt).
std::optional<kafka::record> route_delivery(const inbound_record& in, const topics& names,
                                            step_counters& counters);

// Step 2: the records for feedback.unique, feedback.cases and the changelog
// (partition = the input partition), plus closed cases. Responses and delivery
// summaries (input_kind_header) are folded into their case instead.
void deduplicate_repartitioned(const inbound_record& in, deduplicator& engine,
                               lifecycle_context& life, const placement_function& place,
                               const topics& names, std::vector<kafka::record>& out,
                               step_counters& counters);

// After a batch: only the last of a case's records on feedback.cases and on the
// changelog stays (both are compacted, latest wins; a reader misses no state it
// could tell apart). A burst of reports about one issue (a flooded underpass, a
// storm) made one case record and one state record each, ~15 KB apiece, for
// the broker to write and every dashboard to read. Other records keep their order.
void keep_last_case_records(std::vector<kafka::record>& out, const topics& names);

// The feedback.unique key: the district, or "citywide" when the report has none.
std::string locality_key(const report& r);

}  // namespace civic::dedup
