#include "consumers/dedup/cluster_command.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <istream>
#include <ostream>
#include <string>

#include "consumers/dedup/report_builder.hpp"

namespace civic::dedup {
namespace {

std::string answer_line(const report& r, const decision& d) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.String(r.id);
  w.Key("case");
  w.String(d.case_id);
  w.Key("duplicate_of");
  if (d.duplicate_of) {
    w.String(*d.duplicate_of);
  } else {
    w.Null();
  }
  w.Key("match");
  std::string_view kind = to_string(d.kind);
  w.String(kind.data(), static_cast<rapidjson::SizeType>(kind.size()));
  // What the classifier said: the first thing to look at when tuning.
  w.Key("divisions");
  w.StartArray();
  for (const auto& division : r.divisions) w.String(division);
  w.EndArray();
  w.Key("district");
  if (r.district) {
    w.String(*r.district);
  } else {
    w.Null();
  }
  w.EndObject();
  return buffer.GetString();
}

std::string error_line(const std::string& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.Null();
  w.Key("error");
  w.String(message);
  w.EndObject();
  return buffer.GetString();
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
    switch (d.kind) {
      case match_kind::new_case:
        ++totals.new_cases;
        break;
      case match_kind::near_duplicate:
        ++totals.near_duplicates;
        break;
      case match_kind::exact_duplicate:
        ++totals.exact_duplicates;
        break;
    }
    out << answer_line(*r, d) << '\n';
    dedup.close_expired(dedup.clock_ms());
  }
  out.flush();
  return totals;
}

}  // namespace civic::dedup
