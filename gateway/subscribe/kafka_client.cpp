#include "gateway/subscribe/kafka_client.hpp"

#include <unistd.h>

#include <array>
#include <chrono>

#include "common/kafka/librdkafka_log.hpp"

namespace civic::gateway::subscribe {

expected<kafka::client_handle, std::string> make_assign_only_consumer(
    const kafka::properties& props, const std::string& client_id) {
  // librdkafka wants a group.id even for assign(); it is never joined (no
  // subscribe, no commits), so a name of this process's own does.
  static const std::string group =
      "civic-subscribe-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  kafka::properties merged{{"client.id", client_id},
                           {"group.id", group + "-" + client_id},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           {"enable.partition.eof", "true"},
                           {"isolation.level", "read_committed"},
                           {"auto.offset.reset", "earliest"},
                           {"fetch.wait.max.ms", "20"},
                           // Latency: a fetch request is a small write; with Nagle it
                           // may wait for the last one's delayed ACK (tens of ms).
                           {"socket.nagle.disable", "true"}};
  merged.insert(merged.end(), props.begin(), props.end());
  auto conf = kafka::make_conf(merged);
  if (!conf) return unexpected(std::move(conf).error());
  kafka::route_librdkafka_logs(conf->get());
  std::array<char, 512> errstr{};
  kafka::client_handle client(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr.data(), errstr.size()));
  if (!client) return unexpected(std::string("kafka consumer: ") + errstr.data());
  conf->release();
  rd_kafka_poll_set_consumer(client.get());
  return client;
}

expected<std::map<std::string, int>, std::string> list_topics(rd_kafka_t* client,
                                                              std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(client, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err) return unexpected(std::string(rd_kafka_err2str(err)));
  std::map<std::string, int> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err) continue;
    out[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace civic::gateway::subscribe
