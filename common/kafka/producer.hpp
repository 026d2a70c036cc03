#pragma once
// An asynchronous Kafka producer whose delivery reports come back, one per
// record, to the completion handler the caller gave with the record.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/record.hpp"

namespace civic::kafka {

class producer {
 public:
  // props are librdkafka properties; producer settings not given fall back
  // to this project's durable defaults (enable.idempotence=true, acks=all).
  static expected<std::unique_ptr<producer>, std::string> create(const properties& props);

  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  // close(10 s) unless closed already.
  ~producer();

  // Waits up to `timeout` for outstanding reports, then purges what is left:
  // every handler not yet called is called with an error before this returns.
  // Nothing may be produced afterwards.
  void close(std::chrono::milliseconds timeout);

  // Hands the record to librdkafka. On success the handler will be called exactly
  // once with the delivery report; on failure (queue full, unknown topic, ...) the
  // handler is not called and the error says why.
  std::error_code produce(record rec, delivery_handler on_delivery);
  // The same for a record of views: librdkafka copies the value, key and
  // headers, so the caller's buffers may be reused as soon as this returns.
  std::error_code produce(const record_view& rec, delivery_handler on_delivery);

  // Waits until every produced record has its report, or the timeout passes.
  std::error_code flush(std::chrono::milliseconds timeout);

  // Asks the cluster for metadata: empty when a broker answered in time.
  std::error_code check_connectivity(std::chrono::milliseconds timeout);

  // Records handed over and not yet reported.
  int queue_depth() const;

  rd_kafka_t* native() const { return client_.get(); }

 private:
  explicit producer(client_handle client);
  void poll_loop();

  client_handle client_;
  std::atomic<bool> stopping_{false};
  bool closed_ = false;
  std::thread poller_;
};

}  // namespace civic::kafka
