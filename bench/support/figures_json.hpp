#pragma once
// Writing benchmark figures as JSON for bench/report: latency summaries in
// microseconds, as one object.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bench/support/latency_histogram.hpp"

namespace civic::bench {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

// {"count":n,"p50_us":..,"p90_us":..,"p99_us":..,"p999_us":..,"max_us":..,"mean_us":..}
void write_latency(json_writer& w, const latency_histogram& h);

}  // namespace civic::bench
