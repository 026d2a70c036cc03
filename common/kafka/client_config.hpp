#pragma once
// Building librdkafka configuration objects from plain key/value properties
// (the "kafka.*" keys of a service's configuration, prefix removed).

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/handles.hpp"

namespace civic::kafka {

using properties = std::vector<std::pair<std::string, std::string>>;

// Returns librdkafka's own message, naming the property, when one is refused.
expected<conf_handle, std::string> make_conf(const properties& props);

// A client of that type (RD_KAFKA_CONSUMER, RD_KAFKA_PRODUCER) whose logs go to
// the project's log; the error is librdkafka's, prefixed by `what`.
expected<client_handle, std::string> make_client(rd_kafka_type_t type, const properties& props,
                                                 std::string_view what);

// The names of the cluster's topics (metadata from any broker within `timeout`).
expected<std::set<std::string>, std::string> list_topics(const properties& props,
                                                         std::chrono::milliseconds timeout);

// Looks a property up; later entries win, as they do in make_conf.
std::string find_property(const properties& props, const std::string& key,
                          const std::string& fallback = {});

}  // namespace civic::kafka
