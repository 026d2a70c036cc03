#include "bench/support/figures_json.hpp"

namespace civic::bench {

void write_latency(json_writer& w, const latency_histogram& h) {
  auto micros = [](int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  w.StartObject();
  w.Key("count");
  w.Int64(h.count());
  const std::pair<const char*, double> points[] = {
      {"p50_us", 50}, {"p90_us", 90}, {"p99_us", 99}, {"p999_us", 99.9}};
  for (const auto& [name, p] : points) {
    w.Key(name);
    w.Double(micros(h.percentile(p)));
  }
  w.Key("max_us");
  w.Double(micros(h.max()));
  w.Key("mean_us");
  w.Double(h.mean() / 1000.0);
  w.EndObject();
}

}  // namespace civic::bench
