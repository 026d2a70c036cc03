#pragma once
// Building librdkafka configuration objects from plain key/value properties
// (the "kafka.*" keys of a service's configuration, prefix removed).

#include <string>
#include <utility>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/handles.hpp"

namespace civic::kafka {

using properties = std::vector<std::pair<std::string, std::string>>;

// Returns librdkafka's own message, naming the property, when one is refused.
expected<conf_handle, std::string> make_conf(const properties& props);

// Looks a property up; later entries win, as they do in make_conf.
std::string find_property(const properties& props, const std::string& key,
                          const std::string& fallback = {});

}  // namespace civic::kafka
