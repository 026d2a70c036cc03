#pragma once
// The Kafka records the gateway would publish for the benchmark's message bodies:
// each body given a unique id, parsed, validated and normalized by the gateway's own
// code, so the direct producer sends byte for byte what the gateway sends.

#include <string>
#include <vector>

#include "bench/support/message_bodies.hpp"
#include "common/error/expected.hpp"
#include "common/kafka/record.hpp"

namespace civic::bench {

expected<std::vector<kafka::record>, std::string> gateway_records(const message_bodies& bodies,
                                                                  size_t count,
                                                                  const std::string& topic,
                                                                  const std::string& run_id);

}  // namespace civic::bench
