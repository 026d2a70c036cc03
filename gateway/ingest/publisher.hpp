#pragma once
// Hands envelopes to Kafka and keeps track of whether Kafka can be reached.
// While no broker answers, publish() refuses at once with a retryable error,
// so senders are told to come back instead of piling up in memory.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "common/envelope/envelope.hpp"
#include "common/kafka/producer.hpp"
#include "gateway/ingest/envelope_sink.hpp"

namespace civic::gateway::ingest {

class publisher final : public envelope_sink {
 public:
  struct settings {
    std::string topic = "feedback.ingested";
    std::chrono::milliseconds health_interval{1000};
  };

  publisher(std::unique_ptr<kafka::producer> producer, settings s);
  ~publisher() override;

  // Empty: on_delivery will be called exactly once with Kafka's verdict.
  // Otherwise the envelope was not taken (errc::unavailable while Kafka is
  // unreachable, the producer's queue-full error when its queue is full).
  std::error_code publish(const envelope::message& e, const std::optional<std::string>& traceparent,
                          kafka::delivery_handler on_delivery) override;

  // Any other record through the same producer (the answers API's responses),
  // with the same refusals.
  std::error_code publish_record(kafka::record rec, kafka::delivery_handler on_delivery) override;

  bool kafka_ready() const override { return ready_.load(std::memory_order_relaxed); }
  int queue_depth() const { return producer_->queue_depth(); }
  const std::string& topic() const { return settings_.topic; }

  // Waits up to `timeout` for outstanding delivery reports; what is still
  // unreported then is failed, so every handler has been called on return.
  void close(std::chrono::milliseconds timeout);

 private:
  void check_health_until_stopped();

  std::unique_ptr<kafka::producer> producer_;
  settings settings_;
  std::atomic<bool> ready_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread health_checker_;
};

}  // namespace civic::gateway::ingest
