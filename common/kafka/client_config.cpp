#include "common/kafka/client_config.hpp"

#include <array>

#include "common/kafka/librdkafka_log.hpp"

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

expected<client_handle, std::string> make_client(rd_kafka_type_t type, const properties& props,
                                                 std::string_view what) {
  auto conf = make_conf(props);
  if (!conf) return unexpected(std::string(what) + ": " + conf.error());
  route_librdkafka_logs(conf->get());
  std::array<char, 512> errstr{};
  client_handle client(rd_kafka_new(type, conf->get(), errstr.data(), errstr.size()));
  if (!client) return unexpected(std::string(what) + ": " + errstr.data());
  conf->release();  // rd_kafka_new took ownership
  return client;
}

expected<std::set<std::string>, std::string> list_topics(const properties& props,
                                                         std::chrono::milliseconds timeout) {
  auto client = make_client(RD_KAFKA_PRODUCER, props, "kafka metadata client");
  if (!client) return unexpected(std::move(client).error());
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(client->get(), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err)
    return unexpected(std::string("cannot list the cluster's topics: ") + rd_kafka_err2str(err));
  std::set<std::string> topics;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) topics.insert(md->topics[i].topic);
  }
  rd_kafka_metadata_destroy(md);
  return topics;
}

}  // namespace civic::kafka
