#include "consumers/dedup/service/metrics.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace civic;
using namespace civic::dedup;

TEST_CASE("the counters read as Prometheus text: dropped duplicates, near-duplicates, new cases") {
  step_counters c;
  c.routed = 12;
  c.new_cases = 7;
  c.near_duplicates = 3;
  c.exact_duplicates = 2;
  c.deadlettered = 1;
  c.cases_closed = 4;
  metrics::text_writer w;
  write_metrics(w, c, 5);
  const std::string& text = w.text();
  CHECK(text.find("dedup_reports_total{outcome=\"exact_duplicate_dropped\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("dedup_reports_total{outcome=\"near_duplicate\"} 3\n") != std::string::npos);
  CHECK(text.find("dedup_reports_total{outcome=\"new_case\"} 7\n") != std::string::npos);
  CHECK(text.find("dedup_deadlettered_total 1\n") != std::string::npos);
  CHECK(text.find("dedup_cases_closed_total 4\n") != std::string::npos);
  CHECK(text.find("# TYPE dedup_open_cases gauge\ndedup_open_cases 5\n") != std::string::npos);
  // Every sample line belongs to a declared metric.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#")) continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    CHECK_MESSAGE(text.find("# TYPE " + name + " ") != std::string::npos, name);
  }
}
