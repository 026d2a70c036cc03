#include "consumers/dedup/service/metrics.hpp"

namespace civic::dedup {

void write_metrics(metrics::text_writer& w, const step_counters& c, std::size_t open_cases) {
  auto number = [](uint64_t v) { return static_cast<double>(v); };
  w.family("dedup_reports_total", "counter", "Reports deduplicated, by outcome.");
  w.sample("dedup_reports_total", {{"outcome", "new_case"}}, number(c.new_cases));
  w.sample("dedup_reports_total", {{"outcome", "near_duplicate"}}, number(c.near_duplicates));
  w.sample("dedup_reports_total", {{"outcome", "exact_duplicate_dropped"}},
           number(c.exact_duplicates));
  w.family("dedup_routed_total", "counter",
           "Records re-keyed by locality onto the repartition topic.");
  w.sample("dedup_routed_total", number(c.routed));
  w.family("dedup_deadlettered_total", "counter",
           "Records that were not envelopes, sent to the dead-letter topic.");
  w.sample("dedup_deadlettered_total", number(c.deadlettered));
  w.family("dedup_cases_closed_total", "counter",
           "Cases closed (window passed or open-case limit reached).");
  w.sample("dedup_cases_closed_total", number(c.cases_closed));
  w.family("dedup_responses_folded_total", "counter",
           "Updates and support folded into a case (feedback.responses).");
  w.sample("dedup_responses_folded_total", number(c.responses_folded));
  w.family("dedup_responses_unmatched_total", "counter",
           "Responses for a case this partition does not hold (dead-lettered).");
  w.sample("dedup_responses_unmatched_total", number(c.responses_unmatched));
  w.family("dedup_thresholds_crossed_total", "counter",
           "Support thresholds crossed (events written).");
  w.sample("dedup_thresholds_crossed_total", number(c.thresholds_crossed));
  w.family("dedup_deliveries_folded_total", "counter", "Delivery summaries folded into a case.");
  w.sample("dedup_deliveries_folded_total", number(c.deliveries_folded));
  w.family("dedup_open_cases", "gauge", "Open cases held by this instance.");
  w.sample("dedup_open_cases", number(open_cases));
}

}  // namespace civic::dedup
