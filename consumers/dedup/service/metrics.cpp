#include "consumers/dedup/service/metrics.hpp"

namespace civic::dedup {

void write_metrics(metrics::text_writer& w, const step_counters& c, std::size_t open_cases) {
  auto number = [](uint64_t v) { return static_cast<double>(v); };
  w.family("dedup_reports_total", "counter", "Reports deduplicated, by outcome.");
  w.sample("dedup_reports_total", {{"outcome", "new_case"}}, number(c.new_cases));
  w.sample("dedup_reports_total", {{"outcome", "near_duplicate"}}, number(c.near_duplicates));
  w.sample("dedup_reports_total", {{"outcome", "exact_duplicate_dropped"}},
           number(c.exact_duplicates));
  w.counter("dedup_routed_total", "Records re-keyed by locality onto the repartition topic.",
            number(c.routed));
  w.counter("dedup_repartitioned_locally_total",
            "Of those, records whose partition this instance owns: deduplicated in the same "
            "transaction instead of a round trip through the repartition topic.",
            number(c.repartitioned_locally));
  w.counter("dedup_deadlettered_total",
            "Records that were not envelopes, sent to the dead-letter topic.",
            number(c.deadlettered));
  w.counter("dedup_cases_closed_total", "Cases closed (window passed or open-case limit reached).",
            number(c.cases_closed));
  w.counter("dedup_responses_folded_total",
            "Updates and support folded into a case (feedback.responses).",
            number(c.responses_folded));
  w.counter("dedup_responses_unmatched_total",
            "Responses for a case this partition does not hold (dead-lettered).",
            number(c.responses_unmatched));
  w.counter("dedup_thresholds_crossed_total", "Support thresholds crossed (events written).",
            number(c.thresholds_crossed));
  w.counter("dedup_deliveries_folded_total", "Delivery summaries folded into a case.",
            number(c.deliveries_folded));
  w.gauge("dedup_open_cases", "Open cases held by this instance.", number(open_cases));
}

}  // namespace civic::dedup
