#include "consumers/dedup/service/metrics_file.hpp"

#include <fstream>

#include "common/metrics/prometheus_text.hpp"

namespace civic::dedup {

std::string prometheus_text(const step_counters& c, std::size_t open_cases) {
  metrics::text_writer w;
  auto count = [](uint64_t v) { return static_cast<double>(v); };
  w.family("dedup_reports_total", "counter", "Reports deduplicated, by outcome.");
  w.sample("dedup_reports_total", {{"outcome", "new_case"}}, count(c.new_cases));
  w.sample("dedup_reports_total", {{"outcome", "near_duplicate"}}, count(c.near_duplicates));
  w.sample("dedup_reports_total", {{"outcome", "exact_duplicate_dropped"}},
           count(c.exact_duplicates));
  w.family("dedup_routed_total", "counter",
           "Records re-keyed by locality onto the repartition topic.");
  w.sample("dedup_routed_total", count(c.routed));
  w.family("dedup_deadlettered_total", "counter",
           "Records that were not envelopes, sent to the dead-letter topic.");
  w.sample("dedup_deadlettered_total", count(c.deadlettered));
  w.family("dedup_cases_closed_total", "counter",
           "Cases closed (window passed or open-case limit reached).");
  w.sample("dedup_cases_closed_total", count(c.cases_closed));
  w.family("dedup_responses_folded_total", "counter",
           "Updates and support folded into a case (feedback.responses).");
  w.sample("dedup_responses_folded_total", count(c.responses_folded));
  w.family("dedup_responses_unmatched_total", "counter",
           "Responses for a case this partition does not hold (dead-lettered).");
  w.sample("dedup_responses_unmatched_total", count(c.responses_unmatched));
  w.family("dedup_thresholds_crossed_total", "counter",
           "Support thresholds crossed (events written).");
  w.sample("dedup_thresholds_crossed_total", count(c.thresholds_crossed));
  w.family("dedup_deliveries_folded_total", "counter", "Delivery summaries folded into a case.");
  w.sample("dedup_deliveries_folded_total", count(c.deliveries_folded));
  w.family("dedup_open_cases", "gauge", "Open cases held by this instance.");
  w.sample("dedup_open_cases", count(open_cases));
  return w.take();
}

std::error_code write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path partial = path;
  partial += ".partial";
  {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file) return std::make_error_code(std::errc::io_error);
    file << text;
    if (!file.flush()) return std::make_error_code(std::errc::io_error);
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  return ec;
}

}  // namespace civic::dedup
