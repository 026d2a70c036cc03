#pragma once
// Writing benchmark figures as JSON for bench/report (with common/json's writer):
// latency summaries in microseconds, as one object.

#include "bench/support/latency_histogram.hpp"
#include "common/json/writer.hpp"

namespace civic::bench {

// {"count":n,"p50_us":..,"p90_us":..,"p99_us":..,"p999_us":..,"max_us":..,"mean_us":..}
void write_latency(json::writer& w, const latency_histogram& h);

}  // namespace civic::bench
