// Fault injection with librdkafka's in-process mock cluster: the producer's
// delivery handler must be called exactly once per record, with success only
// when the (mock) broker stored it.

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must follow rdkafka.h
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/error/errc.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/kafka_error.hpp"
#include "common/kafka/producer.hpp"

using namespace civic;
using namespace std::chrono_literals;

namespace {

constexpr int16_t produce_api_key = 0;  // Kafka protocol ApiKey of Produce

class mock_cluster {
 public:
  mock_cluster() {
    char errstr[256];
    host_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), errstr, sizeof errstr));
    cluster_ = rd_kafka_mock_cluster_new(host_.get(), 1);
    rd_kafka_mock_topic_create(cluster_, "feedback.ingested", 1, 1);
  }
  ~mock_cluster() { rd_kafka_mock_cluster_destroy(cluster_); }
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

 private:
  kafka::client_handle host_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// Collects delivery reports from the producer's polling thread.
struct reports {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<kafka::delivery_report> received;

  kafka::delivery_handler handler() {
    return [this](const kafka::delivery_report& r) {
      std::lock_guard lock(mutex);
      received.push_back(r);
      changed.notify_all();
    };
  }
  bool wait_for(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return received.size() >= count; });
  }
};

std::unique_ptr<kafka::producer> make_producer(const mock_cluster& cluster,
                                               const char* message_timeout_ms = "5000") {
  auto p = kafka::producer::create({{"bootstrap.servers", cluster.bootstrap()},
                                    {"message.timeout.ms", message_timeout_ms},
                                    {"retry.backoff.ms", "10"}});
  REQUIRE_MESSAGE(p.has_value(), (p.has_value() ? "" : p.error()));
  return std::move(*p);
}

kafka::record sample_record() {
  return {"feedback.ingested", "line:evt-1", R"({"text":"hello"})", {{"ce_id", "1"}}};
}

// The delivery reports of `records` sample records, each waited for (10 s at most)
// before the producer is closed within close_within.
std::vector<kafka::delivery_report> reports_of(const mock_cluster& cluster, size_t records,
                                               const char* message_timeout_ms,
                                               std::chrono::milliseconds close_within) {
  auto producer = make_producer(cluster, message_timeout_ms);
  reports got;
  for (size_t i = 0; i < records; ++i) {
    REQUIRE_FALSE(producer->produce(sample_record(), got.handler()));
  }
  REQUIRE(got.wait_for(records, 10s));
  producer->close(close_within);
  return std::move(got.received);
}

}  // namespace

TEST_CASE("transient broker errors are retried and the record is reported stored once") {
  mock_cluster cluster;
  rd_kafka_mock_push_request_errors(cluster.get(), produce_api_key, 2,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  auto received = reports_of(cluster, 1, "5000", 5s);
  REQUIRE(received.size() == 1);
  CHECK_FALSE(received[0].error);
  CHECK(received[0].offset == 0);
  CHECK(received[0].topic == "feedback.ingested");
}

TEST_CASE("a broker that never comes back yields a retryable failure, not a silent loss") {
  mock_cluster cluster;
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  auto received = reports_of(cluster, 5, "1000", 1s);
  REQUIRE(received.size() == 5);
  for (const auto& r : received) {
    CHECK(r.error == make_kafka_error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
    CHECK(is_retryable(r.error));
    CHECK(r.offset == -1);
  }
}

TEST_CASE("a record the broker refuses for good is reported as not retryable") {
  mock_cluster cluster;
  rd_kafka_mock_push_request_errors(cluster.get(), produce_api_key, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  auto received = reports_of(cluster, 1, "5000", 1s);
  REQUIRE(received.size() == 1);
  CHECK(received[0].error);
  CHECK_FALSE(is_retryable(received[0].error));
}

TEST_CASE("closing with records still queued reports each of them as failed") {
  mock_cluster cluster;
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  auto producer = make_producer(cluster, "60000");
  reports got;
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(producer->produce(sample_record(), got.handler()));
  producer->close(200ms);
  REQUIRE(got.received.size() == 3);
  for (const auto& r : got.received) {
    CHECK(r.error);
    CHECK(is_retryable(r.error));
  }
}

TEST_CASE("a full local queue refuses the record at once and keeps no handler") {
  mock_cluster cluster;
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  auto p = kafka::producer::create(
      {{"bootstrap.servers", cluster.bootstrap()}, {"queue.buffering.max.messages", "2"}});
  REQUIRE(p.has_value());
  reports got;
  CHECK_FALSE((*p)->produce(sample_record(), got.handler()));
  CHECK_FALSE((*p)->produce(sample_record(), got.handler()));
  std::error_code refused = (*p)->produce(sample_record(), got.handler());
  CHECK(refused == make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL));
  CHECK(is_retryable(refused));
  (*p)->close(100ms);
  CHECK(got.received.size() == 2);
}
