#pragma once
// The one way a record is handed to librdkafka (rd_kafka_produceva), for the
// asynchronous producer and the transactional processor alike.

#include <system_error>

#include "common/kafka/handles.hpp"
#include "common/kafka/record.hpp"

namespace civic::kafka {

struct produce_options {
  // Passed to the delivery report callback as the message's opaque.
  void* opaque = nullptr;
  // false: librdkafka references the value without copying, so the caller
  // keeps it alive until the delivery report. Keys and headers are always copied.
  bool copy_value = true;
};

// Empty when librdkafka took the record; otherwise why not (queue full, ...).
std::error_code produce(rd_kafka_t* client, const record& rec, produce_options options = {});
// The same for a record of views (never a tombstone).
std::error_code produce(rd_kafka_t* client, const record_view& rec, produce_options options = {});

}  // namespace civic::kafka
