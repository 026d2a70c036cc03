#pragma once
// Operations endpoints: GET /healthz (the process answers), GET /readyz (503
// while Kafka is unreachable or during shutdown), GET /metrics (Prometheus
// text). A module with metrics of its own adds a writer to `metrics_writers`.

#include <functional>
#include <string>
#include <vector>

#include "common/metrics/prometheus_text.hpp"
#include "gateway/http/routes.hpp"

namespace civic::gateway::ops {

struct operations {
  std::function<bool()> kafka_ready;
  std::function<bool()> shutting_down;
  // Each writes its metric families, once per scrape.
  std::vector<std::function<void(civic::metrics::text_writer&)>> metrics_writers;
};

void add_routes(http::routes& r, const operations& ops);

}  // namespace civic::gateway::ops
