#include "common/metrics/prometheus_text.hpp"

#include <doctest/doctest.h>

using namespace civic::metrics;

TEST_CASE("families, samples and escaped labels in the text exposition format") {
  text_writer w;
  w.family("civic_requests_total", "counter", "Requests by outcome.\nSecond line \\ too.");
  w.sample("civic_requests_total", {{"outcome", "stored"}}, 42);
  w.sample("civic_requests_total", {{"outcome", "say \"hi\"\n\\"}, {"channel", "line"}}, 1.5);
  w.family("civic_ready", "gauge", "1 when ready.");
  w.sample("civic_ready", 1);
  CHECK(w.text() ==
        "# HELP civic_requests_total Requests by outcome.\\nSecond line \\\\ too.\n"
        "# TYPE civic_requests_total counter\n"
        "civic_requests_total{outcome=\"stored\"} 42\n"
        "civic_requests_total{outcome=\"say \\\"hi\\\"\\n\\\\\",channel=\"line\"} 1.5\n"
        "# HELP civic_ready 1 when ready.\n"
        "# TYPE civic_ready gauge\n"
        "civic_ready 1\n");
}

TEST_CASE("a histogram writes cumulative buckets, +Inf, sum and count") {
  histogram h({0.01, 0.1, 1});
  for (double v : {0.005, 0.05, 0.05, 0.5, 7.0}) h.observe(v);
  text_writer w;
  w.family("civic_latency_seconds", "histogram", "Latency.");
  label labels[] = {{"path", "ws"}};
  h.write(w, "civic_latency_seconds", labels);
  CHECK(w.text() ==
        "# HELP civic_latency_seconds Latency.\n"
        "# TYPE civic_latency_seconds histogram\n"
        "civic_latency_seconds_bucket{path=\"ws\",le=\"0.01\"} 1\n"
        "civic_latency_seconds_bucket{path=\"ws\",le=\"0.1\"} 3\n"
        "civic_latency_seconds_bucket{path=\"ws\",le=\"1\"} 4\n"
        "civic_latency_seconds_bucket{path=\"ws\",le=\"+Inf\"} 5\n"
        "civic_latency_seconds_sum{path=\"ws\"} 7.605\n"
        "civic_latency_seconds_count{path=\"ws\"} 5\n");
}
