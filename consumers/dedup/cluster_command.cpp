#include "consumers/dedup/cluster_command.hpp"

#include <istream>
#include <ostream>
#include <string>

#include "common/json/writer.hpp"
#include "consumers/dedup/report_builder.hpp"

namespace civic::dedup {
namespace {

std::string answer_line(const report& r, const decision& d) {
  json::writer w;
  w.StartObject();
  w.member("id", r.id);
  w.member("case", d.case_id);
  w.member("duplicate_of", d.duplicate_of);
  w.member("match", to_string(d.kind));
  // What the classifier said: the first thing to look at when tuning.
  w.strings("divisions", r.divisions);
  w.member("district", r.district);
  w.EndObject();
  return w.str();
}

std::string error_line(const std::string& message) {
  json::writer w;
  w.StartObject();
  w.Key("id");
  w.Null();
  w.member("error", message);
  w.EndObject();
  return w.str();
}

}  // namespace

cluster_totals run_cluster(std::istream& in, std::ostream& out, const dedup_settings& settings,
                           const placement_function& place) {
  cluster_totals totals;
  deduplicator dedup(settings);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++totals.lines;
    auto r = report_from_corpus_line(line, place);
    if (!r) {
      ++totals.errors;
      out << error_line("line " + std::to_string(totals.lines) + ": " + r.error()) << '\n';
      continue;
    }
    decision d = dedup.add(*r);
    count_match(d.kind, totals);
    out << answer_line(*r, d) << '\n';
    dedup.close_expired(dedup.clock_ms());
  }
  out.flush();
  return totals;
}

}  // namespace civic::dedup
