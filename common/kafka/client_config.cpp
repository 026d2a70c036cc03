#include "common/kafka/client_config.hpp"

#include <array>

namespace civic::kafka {

expected<conf_handle, std::string> make_conf(const properties& props) {
  conf_handle conf(rd_kafka_conf_new());
  std::array<char, 512> errstr{};
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
        RD_KAFKA_CONF_OK) {
      return unexpected(std::string("kafka property ") + key + ": " + errstr.data());
    }
  }
  return conf;
}

std::string find_property(const properties& props, const std::string& key,
                          const std::string& fallback) {
  std::string found = fallback;
  for (const auto& [k, v] : props) {
    if (k == key) found = v;
  }
  return found;
}

}  // namespace civic::kafka
