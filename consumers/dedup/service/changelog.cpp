#include "consumers/dedup/service/changelog.hpp"

#include <array>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "common/kafka/handles.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/log/log.hpp"
#include "consumers/dedup/case_json.hpp"

namespace civic::dedup {
namespace {

// Kafka acknowledges a commit before the transaction's markers reach the
// partitions, and a read_committed reader stops at the last stable offset: read
// now, it would miss the last transaction the previous owner (or this instance)
// committed. So wait until no transaction is pending on the partitions: the
// last stable offset (what `committed_reader` sees) equals the high watermark
// (what a read_uncommitted client sees). At most transaction.timeout.ms, after
// which the broker aborts a dead writer's transaction.
// An error message, or nullopt once every partition has settled.
std::optional<std::string> wait_until_settled(const kafka::properties& props,
                                              rd_kafka_t* committed_reader,
                                              const std::string& topic,
                                              const std::vector<int32_t>& partitions,
                                              std::chrono::steady_clock::time_point deadline) {
  kafka::properties raw_props = props;
  raw_props.emplace_back("isolation.level", "read_uncommitted");
  auto made = kafka::make_client(RD_KAFKA_CONSUMER, raw_props, "changelog watermarks");
  if (!made) return std::move(made).error();
  kafka::client_handle raw = std::move(*made);

  for (int32_t p : partitions) {
    for (;;) {
      int64_t low = 0, stable = 0, high = 0;
      auto err =
          rd_kafka_query_watermark_offsets(committed_reader, topic.c_str(), p, &low, &stable, 5000);
      if (!err)
        err = rd_kafka_query_watermark_offsets(raw.get(), topic.c_str(), p, &low, &high, 5000);
      if (!err && stable >= high) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return "changelog " + topic + " partition " + std::to_string(p) +
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

expected<std::map<int32_t, std::vector<case_state>>, std::string> read_changelog(
    const kafka::properties& kafka, const std::string& topic,
    const std::vector<int32_t>& partitions, std::chrono::milliseconds timeout) {
  std::map<int32_t, std::vector<case_state>> restored;
  if (partitions.empty()) return restored;

  kafka::properties props = kafka;
  // No group: the reader assigns partitions itself and commits nothing.
  props.insert(props.end(), {{"group.id", "dedup-changelog-reader"},
                             {"isolation.level", "read_committed"},
                             {"enable.partition.eof", "true"},
                             {"enable.auto.commit", "false"},
                             {"auto.offset.reset", "earliest"}});
  auto made = kafka::make_client(RD_KAFKA_CONSUMER, props, "changelog reader");
  if (!made) return unexpected(std::move(made).error());
  kafka::client_handle reader = std::move(*made);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (auto error = wait_until_settled(props, reader.get(), topic, partitions, deadline)) {
    return unexpected(std::move(*error));
  }

  kafka::partition_list_handle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (auto err = rd_kafka_assign(reader.get(), list.get())) {
    return unexpected(std::string("changelog assign: ") + rd_kafka_err2str(err));
  }

  // Latest value per case id, per partition; empty value: the case closed.
  std::map<int32_t, std::unordered_map<std::string, std::string>> latest;
  std::set<int32_t> pending(partitions.begin(), partitions.end());
  while (!pending.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      rd_kafka_assign(reader.get(), nullptr);
      return unexpected("changelog " + topic + ": end of " + std::to_string(pending.size()) +
                        " partition(s) not reached in time");
    }
    kafka::message_handle msg(rd_kafka_consumer_poll(reader.get(), 200));
    if (!msg) continue;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      pending.erase(msg->partition);
      continue;
    }
    if (msg->err) {
      if (msg->err == RD_KAFKA_RESP_ERR__FATAL ||
          msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
          msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        rd_kafka_assign(reader.get(), nullptr);
        return unexpected("changelog " + topic + ": " + rd_kafka_message_errstr(msg.get()));
      }
      log::warn("dedup.changelog.error", {{"error", rd_kafka_message_errstr(msg.get())}});
      continue;
    }
    std::string key(static_cast<const char*>(msg->key), msg->key_len);
    std::string value = msg->payload ? std::string(static_cast<const char*>(msg->payload), msg->len)
                                     : std::string();
    // A closed case is forgotten at once, so the reader holds open cases only.
    if (value.empty()) {
      latest[msg->partition].erase(key);
    } else {
      latest[msg->partition][std::move(key)] = std::move(value);
    }
  }
  rd_kafka_assign(reader.get(), nullptr);
  rd_kafka_consumer_close(reader.get());

  for (int32_t p : partitions) {
    auto& cases = restored[p];
    for (auto& [id, value] : latest[p]) {
      auto state = state_from_json(value);
      if (!state) {
        log::warn("dedup.changelog.unreadable", {{"partition", p}, {"reason", state.error()}});
        continue;
      }
      cases.push_back(std::move(*state));
    }
  }
  return restored;
}

}  // namespace civic::dedup
