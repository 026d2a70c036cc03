#pragma once
// One message from bytes to Kafka: parse and validate, normalize to envelope
// v1, publish. Sessions call submit() and turn the outcome into an ack, a nack
// or an HTTP result; tests call it directly.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/field_error.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/normalize.hpp"
#include "gateway/ingest/publisher.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::ingest {

struct outcome {
  std::string id;                    // the sender's id, when it could be read
  std::optional<field_error> error;  // set when the message was not stored
  bool retryable = false;            // with error: may succeed if sent again later
  std::string topic;                 // without error: where Kafka stored it
  int32_t partition = -1;
  int64_t offset = -1;
};

using completion = std::function<void(outcome)>;

class pipeline {
 public:
  pipeline(inbound_limits limits, normalize_settings normalize, publisher& out, ops::metrics& m)
      : limits_(limits), normalize_(std::move(normalize)), publisher_(out), metrics_(m) {}

  // `done` is called exactly once: at once when the message is rejected or
  // refused before Kafka, otherwise from the producer's thread after the
  // delivery report (post it to the session's strand).
  void submit(std::string_view json, const std::optional<std::string>& traceparent,
              completion done);

  // The same from normalization on, for a message a channel adapter extracted.
  void submit(inbound_message message, const std::optional<std::string>& traceparent,
              completion done);

  const inbound_limits& limits() const { return limits_; }

  // A record to store instead of a normalized message (a support reply becomes
  // a support record); nullopt stores the message. Set before serving.
  using diversion = std::function<std::optional<kafka::record>(const envelope::message&)>;
  void divert_with(diversion d) { divert_ = std::move(d); }

 private:
  void reject(std::string id, field_error error, const completion& done);

  inbound_limits limits_;
  normalize_settings normalize_;
  publisher& publisher_;
  ops::metrics& metrics_;
  diversion divert_;
};

}  // namespace civic::gateway::ingest
