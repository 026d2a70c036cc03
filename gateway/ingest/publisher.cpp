#include "gateway/ingest/publisher.hpp"

#include "common/envelope/cloudevents.hpp"
#include "common/envelope/envelope_json.hpp"
#include "common/error/errc.hpp"
#include "common/kafka/kafka_error.hpp"
#include "common/log/log.hpp"

namespace civic::gateway::ingest {

publisher::publisher(std::unique_ptr<kafka::producer> producer, settings s)
    : producer_(std::move(producer)), settings_(std::move(s)) {
  // The first answer decides readiness before any traffic is taken.
  ready_ = !producer_->check_connectivity(settings_.health_interval);
  health_checker_ = std::thread([this] { check_health_until_stopped(); });
}

publisher::~publisher() { close(std::chrono::seconds(10)); }

void publisher::check_health_until_stopped() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, settings_.health_interval, [this] { return stopping_; })) {
    lock.unlock();
    std::error_code ec = producer_->check_connectivity(settings_.health_interval);
    bool ready = !ec;
    if (ready_.exchange(ready) != ready) {
      if (ready)
        log::info("kafka.reachable");
      else
        log::warn("kafka.unreachable", {{"detail", ec.message()}});
    }
    lock.lock();
  }
}

std::error_code publisher::publish(const envelope::message& e,
                                   const std::optional<std::string>& traceparent,
                                   kafka::delivery_handler on_delivery) {
  if (!kafka_ready()) return errc::unavailable;
  // Built into buffers each thread reuses; librdkafka copies what it keeps.
  thread_local std::string value, source;
  envelope::write_json(e, value);
  envelope::cloudevents_views headers;
  size_t header_count = envelope::cloudevents_header_views(e, traceparent, source, headers);
  kafka::record_view rec{settings_.topic.c_str(), e.idempotency_key, value,
                         std::span(headers.data(), header_count)};
  std::error_code refused = producer_->produce(rec, std::move(on_delivery));
  if (refused == make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL)) return errc::overloaded;
  return refused;
}

std::error_code publisher::publish_record(kafka::record rec, kafka::delivery_handler on_delivery) {
  if (!kafka_ready()) return errc::unavailable;
  std::error_code refused = producer_->produce(std::move(rec), std::move(on_delivery));
  if (refused == make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL)) return errc::overloaded;
  return refused;
}

void publisher::close(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_signal_.notify_all();
  health_checker_.join();
  producer_->close(timeout);
}

}  // namespace civic::gateway::ingest
