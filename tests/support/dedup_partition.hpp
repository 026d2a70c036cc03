#pragma once
// One dedup partition's state as the service keeps it (engine, closed cases,
// lifecycle), for the tests that run its two steps without Kafka.

#include "consumers/dedup/service/stages.hpp"

namespace civic::test {

struct dedup_partition {
  dedup::topics names;
  dedup::step_counters counters;
  dedup::dedup_settings engine_settings;  // named: GCC 12 -O2 warns falsely on a temporary's set
  dedup::deduplicator engine{engine_settings};
  dedup::closed_cases closed{90LL * 24 * 3600 * 1000, 1000};
  dedup::lifecycle_settings lifecycle;
  dedup::lifecycle_context life{closed, lifecycle};
};

}  // namespace civic::test
