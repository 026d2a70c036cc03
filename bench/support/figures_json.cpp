#include "bench/support/figures_json.hpp"

namespace civic::bench {

void write_latency(json::writer& w, const latency_histogram& h) {
  auto micros = [](int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  w.StartObject();
  w.member("count", h.count());
  const std::pair<const char*, double> points[] = {
      {"p50_us", 50}, {"p90_us", 90}, {"p99_us", 99}, {"p999_us", 99.9}};
  for (const auto& [name, p] : points) w.member(name, micros(h.percentile(p)));
  w.member("max_us", micros(h.max()));
  w.member("mean_us", h.mean() / 1000.0);
  w.EndObject();
}

}  // namespace civic::bench
