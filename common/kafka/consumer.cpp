#include "common/kafka/consumer.hpp"

#include <array>

#include "common/kafka/kafka_error.hpp"
#include "common/kafka/librdkafka_log.hpp"

namespace civic::kafka {

std::string_view consumed_message::topic() const { return rd_kafka_topic_name(msg_->rkt); }

std::string_view consumed_message::key() const {
  return msg_->key ? std::string_view(static_cast<const char*>(msg_->key), msg_->key_len)
                   : std::string_view();
}

std::string_view consumed_message::value() const {
  return msg_->payload ? std::string_view(static_cast<const char*>(msg_->payload), msg_->len)
                       : std::string_view();
}

std::optional<std::string_view> consumed_message::header(const char* name) const {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(msg_.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return std::string_view(static_cast<const char*>(value), size);
}

std::vector<kafka::header> consumed_message::headers() const {
  std::vector<kafka::header> out;
  rd_kafka_headers_t* all = nullptr;
  if (rd_kafka_message_headers(msg_.get(), &all) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(all, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    out.push_back(
        {name, value ? std::string(static_cast<const char*>(value), size) : std::string()});
  }
  return out;
}

expected<std::unique_ptr<consumer>, std::string> consumer::create(const properties& props) {
  properties merged{{"auto.offset.reset", "earliest"}, {"isolation.level", "read_committed"}};
  merged.insert(merged.end(), props.begin(), props.end());
  auto conf = make_conf(merged);
  if (!conf) return unexpected(std::move(conf).error());
  route_librdkafka_logs(conf->get());

  std::array<char, 512> errstr{};
  client_handle client(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr.data(), errstr.size()));
  if (!client) return unexpected(std::string("kafka consumer: ") + errstr.data());
  conf->release();  // rd_kafka_new took ownership
  rd_kafka_poll_set_consumer(client.get());
  return std::unique_ptr<consumer>(new consumer(std::move(client)));
}

consumer::~consumer() { close(); }

std::error_code consumer::subscribe(const std::vector<std::string>& topics) {
  partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(client_.get(), list.get());
  return err ? make_kafka_error(err) : std::error_code{};
}

expected<std::optional<consumed_message>, std::error_code> consumer::poll(
    std::chrono::milliseconds timeout) {
  message_handle msg(rd_kafka_consumer_poll(client_.get(), static_cast<int>(timeout.count())));
  if (!msg) return std::optional<consumed_message>();
  if (msg->err) return unexpected(make_kafka_error(msg->err));
  return std::optional<consumed_message>(consumed_message(std::move(msg)));
}

std::error_code consumer::commit() {
  rd_kafka_resp_err_t err = rd_kafka_commit(client_.get(), nullptr, 0);
  // Nothing new to commit is not a failure.
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return {};
  return err ? make_kafka_error(err) : std::error_code{};
}

void consumer::close() {
  if (closed_) return;
  closed_ = true;
  rd_kafka_consumer_close(client_.get());
}

}  // namespace civic::kafka
