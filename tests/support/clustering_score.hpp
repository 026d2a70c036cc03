#pragma once
// Scores `dedup cluster` on a labelled file (JSON lines with id, received_at and
// cluster, as ../shared/corpus/dev.jsonl): fed in arrival order, every pair of
// messages is right when dedup put the two in one case exactly when the labels
// put them in one cluster. Pairwise precision, recall and F1, and the counts.

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "consumers/dedup/cluster_command.hpp"

namespace civic::test {

struct clustering_score {
  size_t messages = 0;
  size_t right = 0, wrongly_merged = 0, missed = 0;  // pairs
  double precision = 0, recall = 0, f1 = 0;
  dedup::cluster_totals totals;
};

inline clustering_score score_clustering(const std::filesystem::path& file,
                                         const dedup::placement_function& place) {
  struct row {
    std::string id, received_at, cluster, line;
  };
  std::vector<row> rows;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE(doc.IsObject());
    rows.push_back(
        {doc["id"].GetString(), doc["received_at"].GetString(), doc["cluster"].GetString(), line});
  }
  // Arrival order. RFC 3339 with one offset (+09:00) throughout sorts as text;
  // the check keeps that assumption honest.
  REQUIRE(std::all_of(rows.begin(), rows.end(),
                      [](const row& r) { return r.received_at.ends_with("+09:00"); }));
  std::stable_sort(rows.begin(), rows.end(),
                   [](const row& a, const row& b) { return a.received_at < b.received_at; });
  std::stringstream input, output;
  for (const auto& r : rows) input << r.line << '\n';

  clustering_score s;
  s.messages = rows.size();
  const dedup::dedup_settings settings;  // named: GCC 12 -O2 warns falsely on a temporary's set
  s.totals = dedup::run_cluster(input, output, settings, place);
  REQUIRE(s.totals.errors == 0);
  REQUIRE(s.totals.lines == rows.size());
  std::map<std::string, std::string> case_of;
  while (std::getline(output, line)) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    REQUIRE(doc.IsObject());
    case_of[doc["id"].GetString()] = doc["case"].GetString();
  }
  REQUIRE(case_of.size() == rows.size());

  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = i + 1; j < rows.size(); ++j) {
      const bool same_cluster = rows[i].cluster == rows[j].cluster;
      const bool same_case = case_of[rows[i].id] == case_of[rows[j].id];
      s.right += same_cluster && same_case;
      s.wrongly_merged += same_case && !same_cluster;
      s.missed += same_cluster && !same_case;
    }
  }
  auto ratio = [](size_t a, size_t b) {
    return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
  };
  s.precision = ratio(s.right, s.right + s.wrongly_merged);
  s.recall = ratio(s.right, s.right + s.missed);
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
  return s;
}

}  // namespace civic::test
