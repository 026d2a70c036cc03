#include "common/kafka/producer.hpp"

#include <array>

#include "common/kafka/kafka_error.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/kafka/produce.hpp"

namespace civic::kafka {
namespace {

// Lives from produce() until the delivery report: owns the payload (librdkafka
// references it without copying) and the caller's handler.
struct in_flight_record {
  record rec;
  delivery_handler on_delivery;
};

void on_delivery_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* /*opaque*/) {
  std::unique_ptr<in_flight_record> flight(static_cast<in_flight_record*>(msg->_private));
  if (!flight) return;
  delivery_report report;
  report.topic = flight->rec.topic.empty() ? std::string(rd_kafka_topic_name(msg->rkt))
                                           : std::move(flight->rec.topic);
  report.partition = msg->partition;
  if (msg->err) {
    report.error = make_kafka_error(msg->err);
  } else {
    report.offset = msg->offset;
  }
  flight->on_delivery(report);
}

constexpr std::array<std::pair<const char*, const char*>, 6> durable_defaults{{
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"linger.ms", "5"},
    {"batch.num.messages", "10000"},
    {"compression.type", "lz4"},
    {"message.timeout.ms", "30000"},
}};

}  // namespace

expected<std::unique_ptr<producer>, std::string> producer::create(const properties& props) {
  properties merged;
  for (const auto& [key, value] : durable_defaults) merged.emplace_back(key, value);
  merged.insert(merged.end(), props.begin(), props.end());
  auto conf = make_conf(merged);
  if (!conf) return unexpected(std::move(conf).error());

  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery_report);
  route_librdkafka_logs(conf->get());

  std::array<char, 512> errstr{};
  client_handle client(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr.data(), errstr.size()));
  if (!client) return unexpected(std::string("kafka producer: ") + errstr.data());
  conf->release();  // rd_kafka_new took ownership
  return std::unique_ptr<producer>(new producer(std::move(client)));
}

producer::producer(client_handle client)
    : client_(std::move(client)), poller_([this] { poll_loop(); }) {}

producer::~producer() { close(std::chrono::seconds(10)); }

void producer::close(std::chrono::milliseconds timeout) {
  if (closed_) return;
  closed_ = true;
  rd_kafka_flush(client_.get(), static_cast<int>(timeout.count()));
  stopping_ = true;
  poller_.join();
  // Whatever is still queued now fails its delivery report on purge; serve them.
  rd_kafka_purge(client_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  for (int i = 0; i < 100 && rd_kafka_outq_len(client_.get()) > 0; ++i) {
    rd_kafka_poll(client_.get(), 10);
  }
}

void producer::poll_loop() {
  while (!stopping_) rd_kafka_poll(client_.get(), 50);
}

std::error_code producer::produce(record rec, delivery_handler on_delivery) {
  auto flight =
      std::make_unique<in_flight_record>(in_flight_record{std::move(rec), std::move(on_delivery)});
  // The value is not copied: flight owns it until the report.
  if (std::error_code refused = kafka::produce(client_.get(), flight->rec, {flight.get(), false})) {
    return refused;
  }
  flight.release();  // owned by the delivery report now
  return {};
}

std::error_code producer::produce(const record_view& rec, delivery_handler on_delivery) {
  auto flight = std::make_unique<in_flight_record>(in_flight_record{{}, std::move(on_delivery)});
  if (std::error_code refused = kafka::produce(client_.get(), rec, {flight.get(), true})) {
    return refused;
  }
  flight.release();  // owned by the delivery report now
  return {};
}

std::error_code producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(client_.get(), static_cast<int>(timeout.count()));
  return err ? make_kafka_error(err) : std::error_code{};
}

std::error_code producer::check_connectivity(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(client_.get(), 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (metadata) rd_kafka_metadata_destroy(metadata);
  return err ? make_kafka_error(err) : std::error_code{};
}

int producer::queue_depth() const { return rd_kafka_outq_len(client_.get()); }

}  // namespace civic::kafka
