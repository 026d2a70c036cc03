#pragma once
// Where the pipeline hands envelopes: the Kafka publisher in the gateway, a
// recording fake in unit tests.

#include <optional>
#include <string>
#include <system_error>

#include "common/envelope/envelope.hpp"
#include "common/kafka/record.hpp"

namespace civic::gateway::ingest {

class envelope_sink {
 public:
  virtual ~envelope_sink() = default;
  // Empty: on_delivery will be called exactly once with Kafka's verdict.
  // Otherwise the envelope was not taken (errc::unavailable while Kafka is
  // unreachable, errc::overloaded when the producer's queue is full).
  virtual std::error_code publish(const envelope::message& e,
                                  const std::optional<std::string>& traceparent,
                                  kafka::delivery_handler on_delivery) = 0;
  virtual bool kafka_ready() const = 0;
  // Any other record (a support reply stored as support, the answers API's
  // records), with the same refusals. A sink that takes envelopes only refuses.
  virtual std::error_code publish_record(kafka::record, kafka::delivery_handler) {
    return std::make_error_code(std::errc::operation_not_supported);
  }
};

}  // namespace civic::gateway::ingest
