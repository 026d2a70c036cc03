#include "consumers/dedup/service/metrics_file.hpp"

#include <fstream>

namespace civic::dedup {

std::string prometheus_text(const step_counters& c, std::size_t open_cases) {
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(" ").append(std::to_string(value)).append("\n");
  };
  out.append("# HELP dedup_reports_total Reports deduplicated, by outcome.\n");
  out.append("# TYPE dedup_reports_total counter\n");
  out.append("dedup_reports_total{outcome=\"new_case\"} ")
      .append(std::to_string(c.new_cases))
      .append("\n");
  out.append("dedup_reports_total{outcome=\"near_duplicate\"} ")
      .append(std::to_string(c.near_duplicates))
      .append("\n");
  out.append("dedup_reports_total{outcome=\"exact_duplicate_dropped\"} ")
      .append(std::to_string(c.exact_duplicates))
      .append("\n");
  counter("dedup_routed_total", "Records re-keyed by locality onto the repartition topic.",
          c.routed);
  counter("dedup_deadlettered_total",
          "Records that were not envelopes, sent to the dead-letter topic.", c.deadlettered);
  counter("dedup_cases_closed_total", "Cases closed (window passed or open-case limit reached).",
          c.cases_closed);
  counter("dedup_responses_folded_total",
          "Updates and support folded into a case (feedback.responses).", c.responses_folded);
  counter("dedup_responses_unmatched_total",
          "Responses for a case this partition does not hold (dead-lettered).",
          c.responses_unmatched);
  counter("dedup_thresholds_crossed_total", "Support thresholds crossed (events written).",
          c.thresholds_crossed);
  counter("dedup_deliveries_folded_total", "Delivery summaries folded into a case.",
          c.deliveries_folded);
  out.append("# HELP dedup_open_cases Open cases held by this instance.\n");
  out.append("# TYPE dedup_open_cases gauge\n");
  out.append("dedup_open_cases ").append(std::to_string(open_cases)).append("\n");
  return out;
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
