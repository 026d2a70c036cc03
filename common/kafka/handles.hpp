#pragma once
// RAII ownership of librdkafka's C handles: one deleter, one alias per handle type.

#include <librdkafka/rdkafka.h>

#include <memory>

namespace civic::kafka {

struct deleter {
  void operator()(rd_kafka_t* p) const noexcept { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const noexcept { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const noexcept {
    rd_kafka_topic_partition_list_destroy(p);
  }
  void operator()(rd_kafka_headers_t* p) const noexcept { rd_kafka_headers_destroy(p); }
  void operator()(rd_kafka_message_t* p) const noexcept { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_error_t* p) const noexcept { rd_kafka_error_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const noexcept { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_consumer_group_metadata_t* p) const noexcept {
    rd_kafka_consumer_group_metadata_destroy(p);
  }
};

using client_handle = std::unique_ptr<rd_kafka_t, deleter>;
using conf_handle = std::unique_ptr<rd_kafka_conf_t, deleter>;
using partition_list_handle = std::unique_ptr<rd_kafka_topic_partition_list_t, deleter>;
using headers_handle = std::unique_ptr<rd_kafka_headers_t, deleter>;
using message_handle = std::unique_ptr<rd_kafka_message_t, deleter>;
using error_handle = std::unique_ptr<rd_kafka_error_t, deleter>;
using queue_handle = std::unique_ptr<rd_kafka_queue_t, deleter>;
using group_metadata_handle = std::unique_ptr<rd_kafka_consumer_group_metadata_t, deleter>;

}  // namespace civic::kafka
