#pragma once
// One message from bytes to Kafka, and the admission in front of it: the
// in-flight budget, Kafka's readiness, shutdown, and the counting of every
// outcome. Handlers (HTTP, WebSocket, webhooks) ask admit() for room, call
// submit() and turn the outcome into their protocol's answer (responses.hpp);
// tests call it directly.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "gateway/ingest/envelope_sink.hpp"
#include "gateway/ingest/in_flight_budget.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/normalize.hpp"
#include "gateway/ingest/sender.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::ingest {

struct outcome {
  std::string id;                    // the sender's id, when it could be read
  std::optional<field_error> error;  // set when the message was not stored
  std::string topic;                 // without error: where Kafka stored it
  int32_t partition = -1;
  int64_t offset = -1;

  // With error: sending it again later may succeed (from the error itself).
  bool retryable() const;
};

using completion = std::function<void(outcome)>;

// Room in the in-flight budget, held until the ticket is dropped.
class ticket {
 public:
  ticket() = default;
  ticket(in_flight_budget& budget, size_t bytes) : budget_(&budget), bytes_(bytes) {}
  ticket(ticket&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
    other.budget_ = nullptr;
  }
  ticket& operator=(ticket&& other) noexcept {
    if (this != &other) {
      release();
      budget_ = other.budget_;
      bytes_ = other.bytes_;
      other.budget_ = nullptr;
    }
    return *this;
  }
  ticket(const ticket&) = delete;
  ticket& operator=(const ticket&) = delete;
  ~ticket() { release(); }
  void release() {
    if (budget_) budget_->release(bytes_);
    budget_ = nullptr;
  }

 private:
  in_flight_budget* budget_ = nullptr;
  size_t bytes_ = 0;
};

class pipeline {
 public:
  pipeline(inbound_limits limits, normalize_settings normalize, envelope_sink& out,
           in_flight_budget& budget, ops::metrics& m)
      : limits_(limits),
        normalize_(std::move(normalize)),
        sink_(out),
        budget_(budget),
        metrics_(m) {}

  // Room for `bytes` of messages, or why not now: shutting_down, unavailable
  // (Kafka unreachable), overloaded (the budget is full). Refusals are counted.
  expected<ticket, std::error_code> admit(size_t bytes);
  // For a connection that stops reading rather than refusing (WebSocket): the
  // ticket, or nullopt and `wake` is called once when room may have come free.
  std::optional<ticket> admit_or_wait(size_t bytes, std::function<void()> wake);

  // `done` is called exactly once: at once when the message is rejected or
  // refused before Kafka, otherwise from the producer's thread after the
  // delivery report (post it to the session's strand).
  void submit(std::string_view json, const sender& from,
              const std::optional<std::string>& traceparent, completion done);
  // The same from validation on, for a message a channel adapter extracted.
  void submit(inbound_message message, const sender& from,
              const std::optional<std::string>& traceparent, completion done);

  // An answer that never reached the pipeline (shutting down, a binary frame):
  // counted like the pipeline's own.
  outcome refuse(std::string id, field_error error);

  // From now on admit() refuses with shutting_down.
  void begin_shutdown() { shutting_down_.store(true, std::memory_order_relaxed); }
  bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }
  bool kafka_ready() const { return sink_.kafka_ready(); }

  const inbound_limits& limits() const { return limits_; }
  const in_flight_budget& budget() const { return budget_; }
  ops::metrics& metrics() { return metrics_; }

  // A record to store instead of a normalized message (a support reply becomes
  // a support record); nullopt stores the message. Set before serving.
  using diversion = std::function<std::optional<kafka::record>(const envelope::message&)>;
  void divert_with(diversion d) { divert_ = std::move(d); }

 private:
  void reject(std::string id, field_error error, const completion& done);

  inbound_limits limits_;
  normalize_settings normalize_;
  envelope_sink& sink_;
  in_flight_budget& budget_;
  ops::metrics& metrics_;
  diversion divert_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace civic::gateway::ingest
