#pragma once
// A Kafka consumer-group member. Reads committed data only by default
// (isolation.level=read_committed) and starts from the earliest offset of a
// partition the group has never committed.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/record.hpp"

namespace civic::kafka {

// One consumed record; views stay valid while this object lives.
class consumed_message {
 public:
  explicit consumed_message(message_handle msg) : msg_(std::move(msg)) {}

  std::string_view topic() const;
  int32_t partition() const { return msg_->partition; }
  int64_t offset() const { return msg_->offset; }
  std::string_view key() const;
  std::string_view value() const;
  // The last header of that name; nullopt when absent.
  std::optional<std::string_view> header(const char* name) const;
  // Every header, in order, copied.
  std::vector<kafka::header> headers() const;
  rd_kafka_message_t* native() const { return msg_.get(); }

 private:
  message_handle msg_;
};

class consumer {
 public:
  // props must hold group.id and bootstrap.servers.
  static expected<std::unique_ptr<consumer>, std::string> create(const properties& props);

  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;
  ~consumer();

  std::error_code subscribe(const std::vector<std::string>& topics);

  // nullopt when nothing arrived within the timeout.
  expected<std::optional<consumed_message>, std::error_code> poll(
      std::chrono::milliseconds timeout);

  // Commits the offsets of everything polled so far, synchronously.
  std::error_code commit();

  // Leaves the group (commits nothing by itself). Called by the destructor too.
  void close();

  rd_kafka_t* native() const { return client_.get(); }

 private:
  explicit consumer(client_handle client) : client_(std::move(client)) {}

  client_handle client_;
  bool closed_ = false;
};

}  // namespace civic::kafka
