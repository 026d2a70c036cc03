#pragma once
// Creating throwaway topics on the test broker (auto-creation is off there, as in
// production): a test that needs its own topics names them after its run id.

#include <librdkafka/rdkafka.h>

#include <array>
#include <string>

#include "common/kafka/handles.hpp"

namespace civic::test {

// Empty on success (or when the topic exists), else the broker's reason.
inline std::string create_topic(const std::string& bootstrap, const std::string& name,
                                int partitions) {
  std::array<char, 512> errstr{};
  kafka::conf_handle conf(rd_kafka_conf_new());
  rd_kafka_conf_set(conf.get(), "bootstrap.servers", bootstrap.c_str(), errstr.data(),
                    errstr.size());
  kafka::client_handle admin(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), errstr.data(), errstr.size()));
  if (!admin) return errstr.data();
  rd_kafka_NewTopic_t* topic =
      rd_kafka_NewTopic_new(name.c_str(), partitions, 1, errstr.data(), errstr.size());
  if (!topic) return errstr.data();
  kafka::queue_handle queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_CreateTopics(admin.get(), &topic, 1, nullptr, queue.get());
  rd_kafka_NewTopic_destroy(topic);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue.get(), 30000);
  if (!event) return "CreateTopics: no answer within 30 s";
  std::string error;
  if (rd_kafka_event_error(event)) {
    error = rd_kafka_event_error_string(event);
  } else if (const auto* result = rd_kafka_event_CreateTopics_result(event)) {
    size_t count = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      auto err = rd_kafka_topic_result_error(topics[i]);
      if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        error = rd_kafka_topic_result_error_string(topics[i]);
      }
    }
  }
  rd_kafka_event_destroy(event);
  return error;
}

}  // namespace civic::test
