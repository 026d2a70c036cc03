#include "common/kafka/compacted_reader.hpp"

#include <set>
#include <thread>

#include "common/kafka/handles.hpp"
#include "common/log/log.hpp"

namespace civic::kafka {
namespace {

std::optional<std::string> wait_until_settled(const properties& props, rd_kafka_t* committed,
                                              const std::string& topic,
                                              const std::vector<int32_t>& partitions,
                                              std::chrono::steady_clock::time_point deadline) {
  properties raw_props = props;
  raw_props.emplace_back("isolation.level", "read_uncommitted");
  auto made = make_client(RD_KAFKA_CONSUMER, raw_props, topic + " watermarks");
  if (!made) return std::move(made).error();
  client_handle raw = std::move(*made);
  for (int32_t p : partitions) {
    for (;;) {
      int64_t low = 0, stable = 0, high = 0;
      auto err = rd_kafka_query_watermark_offsets(committed, topic.c_str(), p, &low, &stable, 5000);
      if (!err)
        err = rd_kafka_query_watermark_offsets(raw.get(), topic.c_str(), p, &low, &high, 5000);
      if (!err && stable >= high) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return topic + " partition " + std::to_string(p) +
               (err ? std::string(": ") + rd_kafka_err2str(err)
                    : ": a transaction stayed open (last stable offset " + std::to_string(stable) +
                          " < end " + std::to_string(high) + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_compacted(const properties& kafka, const std::string& topic,
                                          const std::vector<int32_t>& partitions,
                                          std::chrono::milliseconds timeout,
                                          const compacted_record_handler& on_record) {
  if (partitions.empty()) return std::nullopt;
  properties props = kafka;
  // No group: the reader assigns partitions itself and commits nothing.
  props.insert(props.end(), {{"group.id", "compacted-reader"},
                             {"isolation.level", "read_committed"},
                             {"enable.partition.eof", "true"},
                             {"enable.auto.commit", "false"},
                             {"auto.offset.reset", "earliest"}});
  auto made = make_client(RD_KAFKA_CONSUMER, props, topic + " reader");
  if (!made) return std::move(made).error();
  client_handle reader = std::move(*made);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (auto error = wait_until_settled(props, reader.get(), topic, partitions, deadline)) {
    return error;
  }
  partition_list_handle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (auto err = rd_kafka_assign(reader.get(), list.get())) {
    return topic + " assign: " + rd_kafka_err2str(err);
  }
  std::set<int32_t> pending(partitions.begin(), partitions.end());
  std::optional<std::string> failure;
  while (!pending.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      failure = topic + ": end of " + std::to_string(pending.size()) +
                " partition(s) not reached in time";
      break;
    }
    message_handle msg(rd_kafka_consumer_poll(reader.get(), 200));
    if (!msg) continue;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      pending.erase(msg->partition);
      continue;
    }
    if (msg->err) {
      if (msg->err == RD_KAFKA_RESP_ERR__FATAL ||
          msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
          msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        failure = topic + ": " + rd_kafka_message_errstr(msg.get());
        break;
      }
      log::warn("kafka.compacted_reader.error",
                {{"topic", topic}, {"error", rd_kafka_message_errstr(msg.get())}});
      continue;
    }
    std::string_view key(static_cast<const char*>(msg->key), msg->key_len);
    std::optional<std::string_view> value;
    if (msg->payload) value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    on_record(msg->partition, key, value);
  }
  rd_kafka_assign(reader.get(), nullptr);
  rd_kafka_consumer_close(reader.get());
  return failure;
}

}  // namespace civic::kafka
