#pragma once
// The Kafka consumers of the subscribe module: assigned partitions only (no
// group, no commits), read_committed, partition ends reported.

#include <chrono>
#include <map>
#include <string>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/handles.hpp"

namespace civic::gateway::subscribe {

expected<kafka::client_handle, std::string> make_assign_only_consumer(
    const kafka::properties& props, const std::string& client_id);

// Every topic the cluster has, with its partition count.
expected<std::map<std::string, int>, std::string> list_topics(rd_kafka_t* client,
                                                              std::chrono::milliseconds timeout);

}  // namespace civic::gateway::subscribe
