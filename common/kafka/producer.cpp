#include "common/kafka/producer.hpp"

#include <array>

#include "common/kafka/kafka_error.hpp"
#include "common/kafka/librdkafka_log.hpp"

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
  report.topic = std::move(flight->rec.topic);
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
  headers_handle headers;
  if (!rec.headers.empty()) {
    headers.reset(rd_kafka_headers_new(rec.headers.size()));
    for (const auto& h : rec.headers) {
      rd_kafka_header_add(headers.get(), h.name.data(), static_cast<ssize_t>(h.name.size()),
                          h.value.data(), static_cast<ssize_t>(h.value.size()));
    }
  }
  auto flight =
      std::make_unique<in_flight_record>(in_flight_record{std::move(rec), std::move(on_delivery)});
  const record& r = flight->rec;
  // The payload is not copied (no RD_KAFKA_MSG_F_COPY): flight owns it until the report.
  // rd_kafka_produceva rather than the producev macros, which use C casts.
  std::array<rd_kafka_vu_t, 6> fields{};
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = r.topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = r.partition;
  fields[2].vtype = RD_KAFKA_VTYPE_KEY;
  fields[2].u.mem = {const_cast<char*>(r.key.data()), r.key.size()};
  fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[3].u.mem =
      r.tombstone ? decltype(fields[3].u.mem){nullptr, 0}
                  : decltype(fields[3].u.mem){const_cast<char*>(r.value.data()), r.value.size()};
  fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[4].u.ptr = flight.get();
  size_t field_count = 5;
  if (headers) {
    fields[5].vtype = RD_KAFKA_VTYPE_HEADERS;
    fields[5].u.headers = headers.get();
    field_count = 6;
  }
  error_handle failure(rd_kafka_produceva(client_.get(), fields.data(), field_count));
  rd_kafka_resp_err_t err =
      failure ? rd_kafka_error_code(failure.get()) : RD_KAFKA_RESP_ERR_NO_ERROR;
  if (err) return make_kafka_error(err);
  headers.release();  // owned by the message now
  flight.release();   // owned by the delivery report now
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
