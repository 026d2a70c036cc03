#pragma once
// dedup's own families on its /metrics endpoint (the processor's lag,
// transactions and restores come from common/ops). The counters are those of
// committed transactions, so they never count work that was rolled back.

#include <cstddef>

#include "common/metrics/prometheus_text.hpp"
#include "consumers/dedup/service/stages.hpp"

namespace civic::dedup {

void write_metrics(metrics::text_writer& w, const step_counters& counters, std::size_t open_cases);

}  // namespace civic::dedup
