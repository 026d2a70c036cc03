#include "gateway/ops/routes.hpp"

#include "gateway/http/problem.hpp"

namespace civic::gateway::ops {

void add_routes(http::routes& r, const operations& ops) {
  r.add("GET", "/healthz", [](const http::request&, http::responder answer) {
    answer(http::json(200, R"({"status":"ok"})"));
  });
  r.add("GET", "/readyz", [&ops](const http::request&, http::responder answer) {
    bool kafka = ops.kafka_ready();
    bool stopping = ops.shutting_down();
    bool ready = kafka && !stopping;
    std::string body = std::string(R"({"status":")") + (ready ? "ready" : "not_ready") +
                       R"(","kafka":)" + (kafka ? "true" : "false") + R"(,"shutting_down":)" +
                       (stopping ? "true" : "false") + "}";
    answer(http::json(ready ? 200 : 503, std::move(body)));
  });
  r.add("GET", "/metrics", [&ops](const http::request&, http::responder answer) {
    civic::metrics::text_writer w;
    for (const auto& write : ops.metrics_writers) write(w);
    answer(http::answer(200, "text/plain; version=0.0.4", w.take()));
  });
}

}  // namespace civic::gateway::ops
