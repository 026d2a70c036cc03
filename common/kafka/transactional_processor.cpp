#include "common/kafka/transactional_processor.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <thread>
#include <utility>

#include "common/kafka/kafka_error.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/kafka/produce.hpp"
#include "common/log/log.hpp"

namespace civic::kafka {
namespace {

using namespace std::chrono_literals;

constexpr auto kafka_call_timeout = 30s;

std::vector<topic_partition> to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<topic_partition> out;
  if (list == nullptr) return out;
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

// How a failed transactional call must be answered (librdkafka's transactional
// API contract): retry the same call, abort the transaction, or give up.
enum class txn_failure { retry, abort, fatal };

txn_failure classify(const rd_kafka_error_t* error) {
  if (rd_kafka_error_is_fatal(error)) return txn_failure::fatal;
  if (rd_kafka_error_txn_requires_abort(error)) return txn_failure::abort;
  if (rd_kafka_error_is_retriable(error)) return txn_failure::retry;
  return txn_failure::fatal;
}

std::error_code error_code_of(const rd_kafka_error_t* error) {
  return make_kafka_error(rd_kafka_error_code(error));
}

// settings.kafka goes to both clients; librdkafka warns at every start about a
// property the other kind of client owns, so each client gets only its own.
constexpr std::string_view consumer_only[] = {"group.id",
                                              "group.instance.id",
                                              "session.timeout.ms",
                                              "heartbeat.interval.ms",
                                              "max.poll.interval.ms",
                                              "auto.offset.reset",
                                              "enable.auto.commit",
                                              "auto.commit.interval.ms",
                                              "enable.auto.offset.store",
                                              "isolation.level",
                                              "partition.assignment.strategy",
                                              "fetch.min.bytes",
                                              "fetch.max.bytes",
                                              "fetch.wait.max.ms",
                                              "max.partition.fetch.bytes",
                                              "queued.min.messages",
                                              "queued.max.messages.kbytes",
                                              "enable.partition.eof",
                                              "check.crcs"};
constexpr std::string_view producer_only[] = {"transactional.id",
                                              "transaction.timeout.ms",
                                              "enable.idempotence",
                                              "acks",
                                              "linger.ms",
                                              "queue.buffering.max.ms",
                                              "batch.num.messages",
                                              "batch.size",
                                              "compression.type",
                                              "compression.codec",
                                              "message.timeout.ms",
                                              "delivery.timeout.ms",
                                              "queue.buffering.max.messages",
                                              "queue.buffering.max.kbytes",
                                              "retries",
                                              "message.send.max.retries",
                                              "request.required.acks"};

properties without(const properties& props, std::span<const std::string_view> owned_by_other) {
  properties kept;
  for (const auto& [key, value] : props) {
    if (std::find(owned_by_other.begin(), owned_by_other.end(), key) == owned_by_other.end()) {
      kept.emplace_back(key, value);
    }
  }
  return kept;
}

}  // namespace

struct transactional_processor::impl {
  settings config;
  handlers callbacks;
  client_handle consumer;
  client_handle producer;
  std::vector<consumed_message> batch;
  std::size_t batch_bytes = 0;
  int64_t batch_started_ns = 0;  // when run() began collecting the batch
  int aborts_in_a_row = 0;
  std::error_code assignment_error;
  const std::atomic<bool>* stopping = nullptr;
  transactional_processor::health* health = nullptr;
  transactional_processor::counters* totals = nullptr;

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Calls a transactional API function, retrying while librdkafka says the same
  // call may succeed later. Empty on success.
  template <typename Call>
  std::pair<txn_failure, std::error_code> call(std::string_view what, Call&& fn) {
    for (int attempt = 0;; ++attempt) {
      error_handle error(fn());
      if (!error) return {txn_failure::retry, {}};
      txn_failure failure = classify(error.get());
      log::warn(
          "kafka.transaction.error",
          {{"call", what}, {"error", rd_kafka_error_string(error.get())}, {"attempt", attempt}});
      if (failure != txn_failure::retry || attempt >= 20) {
        return {failure == txn_failure::retry ? txn_failure::abort : failure,
                error_code_of(error.get())};
      }
      std::this_thread::sleep_for(100ms);
    }
  }

  void on_rebalance(rd_kafka_resp_err_t reason, rd_kafka_topic_partition_list_t* partitions) {
    std::vector<topic_partition> changed = to_vector(partitions);
    if (reason == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      log::info("kafka.partitions.assigned", {{"count", changed.size()}});
      totals->rebalances.fetch_add(1, std::memory_order_relaxed);
      health->restoring.store(true);
      auto started = std::chrono::steady_clock::now();
      if (callbacks.on_assigned && !assignment_error) {
        assignment_error = callbacks.on_assigned(changed);
      }
      double took =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      health->restores.fetch_add(1, std::memory_order_relaxed);
      health->last_restore_seconds.store(took);
      health->restore_seconds_total.store(health->restore_seconds_total.load() + took);
      rd_kafka_assign(consumer.get(), partitions);
      health->assigned_partitions.store(static_cast<int32_t>(changed.size()));
      health->last_progress_ns.store(now_ns());
      health->restoring.store(false);
      if (!assignment_error) health->joined.store(true);
      return;
    }
    log::info("kafka.partitions.revoked", {{"count", changed.size()}});
    // Records polled but not yet processed belong to the next owner now; the
    // offsets they would have advanced were never committed.
    std::erase_if(batch, [&](const consumed_message& m) {
      bool revoked = std::any_of(changed.begin(), changed.end(), [&](const topic_partition& tp) {
        return tp.partition == m.partition() && tp.topic == m.topic();
      });
      if (revoked) batch_bytes -= m.value().size() + m.key().size();
      return revoked;
    });
    if (callbacks.on_revoked) callbacks.on_revoked(changed);
    rd_kafka_assign(consumer.get(), nullptr);
    health->assigned_partitions.store(0);
  }

  static void rebalance_trampoline(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t reason,
                                   rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<impl*>(opaque)->on_rebalance(reason, partitions);
  }

  std::error_code produce(const record& rec) {
    for (;;) {
      std::error_code refused = kafka::produce(producer.get(), rec);
      if (!refused) return {};
      if (refused != make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL) ||
          stopping->load(std::memory_order_relaxed)) {
        return refused;
      }
      rd_kafka_poll(producer.get(), 100);  // a bounded queue: wait for room
    }
  }

  // The position after the last record of each partition in the batch.
  partition_list_handle batch_offsets() const {
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    for (const auto& m : batch) {
      auto& offset = next[{std::string(m.topic()), m.partition()}];
      offset = std::max(offset, m.offset() + 1);
    }
    partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
    for (const auto& [tp, offset] : next) {
      rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
    }
    return list;
  }

  // After an abort: read the batch's partitions again from where the batch began
  // (their committed offsets, since everything polled since then is in the batch).
  // Local to the consumer: no broker round trip that could fail while the
  // cluster is unhealthy, which is when aborts happen.
  std::error_code rewind_to_batch_start() {
    std::map<std::pair<std::string, int32_t>, int64_t> first;
    for (const auto& m : batch) {
      auto [it, inserted] = first.try_emplace({std::string(m.topic()), m.partition()}, m.offset());
      if (!inserted) it->second = std::min(it->second, m.offset());
    }
    partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(first.size())));
    for (const auto& [tp, offset] : first) {
      rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
    }
    error_handle error(rd_kafka_seek_partitions(
        consumer.get(), list.get(), static_cast<int>(kafka_call_timeout.count() * 1000)));
    if (error) return error_code_of(error.get());
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err) return make_kafka_error(list->elems[i].err);
    }
    return {};
  }

  // Runs the service's transform; an exception counts as a failed batch.
  std::error_code transform(std::vector<record>& out) {
    try {
      return callbacks.process(batch, out);
    } catch (const std::exception& e) {
      log::error("kafka.transaction.process_threw", {{"what", e.what()}});
    } catch (...) {
      log::error("kafka.transaction.process_threw", {{"what", "unknown exception"}});
    }
    return std::make_error_code(std::errc::state_not_recoverable);
  }

  // Waits before the batch is tried again: 100 ms, doubling up to 5 s.
  void back_off() const {
    auto pause =
        std::min<std::chrono::milliseconds>(100ms * (1 << std::min(aborts_in_a_row, 6)), 5s);
    for (auto waited = 0ms; waited < pause && !stopping->load(std::memory_order_relaxed);
         waited += 50ms) {
      std::this_thread::sleep_for(50ms);
    }
  }

  // One transaction for the current batch. Returns a fatal error, or empty when
  // the batch was committed or aborted (and will be read again).
  std::error_code process_batch(counters& stats) {
    std::array<int64_t, counters::phases> took{};
    took[counters::batch_wait] = batch_started_ns == 0 ? 0 : now_ns() - batch_started_ns;
    int64_t mark = now_ns();
    auto lap = [&](counters::phase p) {
      int64_t t = now_ns();
      took[p] = t - mark;
      mark = t;
    };
    auto [failure, ec] =
        call("begin_transaction", [&] { return rd_kafka_begin_transaction(producer.get()); });
    if (ec) return ec;  // begin fails only on fatal or usage errors

    std::vector<record> out;
    std::error_code outcome = transform(out);
    lap(counters::transform);
    if (!outcome) {
      for (const auto& rec : out) {
        if ((outcome = produce(rec))) break;
      }
      lap(counters::produce);
    }
    if (!outcome) {
      group_metadata_handle group(rd_kafka_consumer_group_metadata(consumer.get()));
      partition_list_handle offsets = batch_offsets();
      std::tie(failure, outcome) = call("send_offsets_to_transaction", [&] {
        return rd_kafka_send_offsets_to_transaction(
            producer.get(), offsets.get(), group.get(),
            static_cast<int>(kafka_call_timeout.count() * 1000));
      });
      lap(counters::offsets);
      if (!outcome) {
        std::tie(failure, outcome) = call("commit_transaction", [&] {
          return rd_kafka_commit_transaction(producer.get(),
                                             static_cast<int>(kafka_call_timeout.count() * 1000));
        });
        lap(counters::commit);
      }
      if (outcome && failure == txn_failure::fatal) return outcome;
    }
    if (!outcome) {
      for (std::size_t p = 0; p < counters::phases; ++p) {
        stats.phase_ns[p].fetch_add(static_cast<uint64_t>(took[p]), std::memory_order_relaxed);
      }
      stats.transactions_committed.fetch_add(1, std::memory_order_relaxed);
      stats.records_in.fetch_add(batch.size(), std::memory_order_relaxed);
      stats.records_out.fetch_add(out.size(), std::memory_order_relaxed);
      if (callbacks.on_committed) callbacks.on_committed(batch.size(), out.size());
      batch.clear();
      batch_bytes = 0;
      aborts_in_a_row = 0;
      health->aborts_in_a_row.store(0);
      int64_t now = now_ns();
      health->last_commit_ns.store(now);
      health->last_progress_ns.store(now);
      return {};
    }

    log::warn("kafka.transaction.aborting",
              {{"reason", outcome.message()}, {"records", batch.size()}});
    auto [abort_failure, abort_ec] = call("abort_transaction", [&] {
      return rd_kafka_abort_transaction(producer.get(),
                                        static_cast<int>(kafka_call_timeout.count() * 1000));
    });
    if (abort_ec) return abort_ec;
    stats.transactions_aborted.fetch_add(1, std::memory_order_relaxed);
    if (auto rewind_error = rewind_to_batch_start()) return rewind_error;
    batch.clear();
    batch_bytes = 0;
    if (callbacks.on_aborted) callbacks.on_aborted();
    health->aborts_in_a_row.store(aborts_in_a_row + 1);
    if (++aborts_in_a_row >= config.max_consecutive_aborts) {
      log::error("kafka.transaction.giving_up",
                 {{"aborts_in_a_row", aborts_in_a_row}, {"reason", outcome.message()}});
      return outcome;
    }
    back_off();
    return {};
  }
};

expected<std::unique_ptr<transactional_processor>, std::string> transactional_processor::create(
    settings s, handlers h) {
  if (!h.process) return unexpected(std::string("transactional_processor: no process handler"));
  if (s.group_id.empty() || s.transactional_id.empty() || s.input_topics.empty()) {
    return unexpected(std::string(
        "transactional_processor: group_id, transactional_id and input_topics are required"));
  }
  auto state = std::make_unique<impl>();
  state->config = std::move(s);
  state->callbacks = std::move(h);
  std::array<char, 512> errstr{};

  properties consumer_props{{"auto.offset.reset", "earliest"}};
  properties own = without(state->config.kafka, producer_only);
  consumer_props.insert(consumer_props.end(), own.begin(), own.end());
  // Not overridable: exactly-once depends on them.
  consumer_props.insert(consumer_props.end(),
                        {{"group.id", state->config.group_id},
                         {"isolation.level", "read_committed"},
                         // the rebalance callback assigns eagerly
                         {"partition.assignment.strategy", "range,roundrobin"},
                         {"enable.auto.commit", "false"},
                         {"enable.partition.eof", "false"}});
  auto consumer_conf = make_conf(consumer_props);
  if (!consumer_conf) return unexpected(std::move(consumer_conf).error());
  route_librdkafka_logs(consumer_conf->get());
  rd_kafka_conf_set_rebalance_cb(consumer_conf->get(), &impl::rebalance_trampoline);
  rd_kafka_conf_set_opaque(consumer_conf->get(), state.get());
  state->consumer.reset(
      rd_kafka_new(RD_KAFKA_CONSUMER, consumer_conf->get(), errstr.data(), errstr.size()));
  if (!state->consumer) return unexpected(std::string("kafka consumer: ") + errstr.data());
  consumer_conf->release();
  rd_kafka_poll_set_consumer(state->consumer.get());

  // retry.backoff.ms: a transaction begun right after a commit may find the broker still
  // writing the last one's markers (CONCURRENT_TRANSACTIONS), and librdkafka waits this
  // long before it registers the partitions again; its 100 ms default was a tenth of a
  // second per hop on the way to the division topics.
  properties producer_props{
      {"linger.ms", "5"}, {"compression.type", "lz4"}, {"retry.backoff.ms", "10"}};
  own = without(state->config.kafka, consumer_only);
  producer_props.insert(producer_props.end(), own.begin(), own.end());
  bool timeout_given = std::any_of(
      own.begin(), own.end(), [](const auto& kv) { return kv.first == "transaction.timeout.ms"; });
  if (!timeout_given) {
    producer_props.emplace_back("transaction.timeout.ms",
                                std::to_string(state->config.transaction_timeout.count()));
  }
  producer_props.insert(producer_props.end(), {{"transactional.id", state->config.transactional_id},
                                               {"enable.idempotence", "true"},
                                               {"acks", "all"}});
  auto producer_conf = make_conf(producer_props);
  if (!producer_conf) return unexpected(std::move(producer_conf).error());
  route_librdkafka_logs(producer_conf->get());
  state->producer.reset(
      rd_kafka_new(RD_KAFKA_PRODUCER, producer_conf->get(), errstr.data(), errstr.size()));
  if (!state->producer) return unexpected(std::string("kafka producer: ") + errstr.data());
  producer_conf->release();

  error_handle init(rd_kafka_init_transactions(
      state->producer.get(), static_cast<int>(kafka_call_timeout.count() * 1000)));
  if (init) {
    return unexpected(std::string("kafka init_transactions: ") + rd_kafka_error_string(init.get()));
  }

  partition_list_handle topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(state->config.input_topics.size())));
  for (const auto& topic : state->config.input_topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(state->consumer.get(), topics.get())) {
    return unexpected(std::string("kafka subscribe: ") + rd_kafka_err2str(err));
  }
  return std::unique_ptr<transactional_processor>(new transactional_processor(std::move(state)));
}

transactional_processor::transactional_processor(std::unique_ptr<impl> p) : impl_(std::move(p)) {
  impl_->stopping = &stopping_;
  impl_->health = &health_;
  impl_->totals = &counters_;
}

void transactional_processor::leave_group(std::chrono::milliseconds timeout) {
  // Unsubscribing (unlike closing) makes even a static member send LeaveGroup once
  // its partitions are revoked; the revocation is served by polling.
  if (auto err = rd_kafka_unsubscribe(impl_->consumer.get())) {
    log::warn("kafka.group.leave_failed", {{"error", rd_kafka_err2str(err)}});
    return;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    message_handle msg(rd_kafka_consumer_poll(impl_->consumer.get(), 100));
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    bool empty = true;
    if (!rd_kafka_assignment(impl_->consumer.get(), &assigned) && assigned) {
      empty = assigned->cnt == 0;
      rd_kafka_topic_partition_list_destroy(assigned);
    }
    if (empty && health_.assigned_partitions.load() == 0) break;
  }
  log::info("kafka.group.left", {{"group", impl_->config.group_id}});
}

std::vector<transactional_processor::partition_lag> transactional_processor::lag() const {
  std::vector<partition_lag> out;
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  if (rd_kafka_assignment(impl_->consumer.get(), &assigned) || assigned == nullptr) return out;
  partition_list_handle list(assigned);
  rd_kafka_position(impl_->consumer.get(), list.get());
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    partition_lag entry{tp.topic, tp.partition, -1};
    int64_t low = 0, high = 0;
    if (tp.offset >= 0 &&
        !rd_kafka_get_watermark_offsets(impl_->consumer.get(), tp.topic, tp.partition, &low,
                                        &high) &&
        high >= 0) {
      entry.lag = std::max<int64_t>(high - tp.offset, 0);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

transactional_processor::~transactional_processor() {
  // Leaving the group revokes the partitions (on_revoked runs here at the latest).
  rd_kafka_consumer_close(impl_->consumer.get());
  rd_kafka_flush(impl_->producer.get(), 1000);
}

rd_kafka_t* transactional_processor::native_consumer() const { return impl_->consumer.get(); }

std::error_code transactional_processor::run() {
  impl& s = *impl_;
  while (!stopping_.load(std::memory_order_relaxed)) {
    auto deadline = std::chrono::steady_clock::now() + s.config.max_batch_wait;
    s.batch_started_ns = impl::now_ns();
    while (s.batch.size() < s.config.max_batch_records &&
           s.batch_bytes < s.config.max_batch_bytes) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      // An empty batch waits longer, so an idle service does not spin.
      int timeout_ms = s.batch.empty() ? 200 : static_cast<int>(std::max<int64_t>(left.count(), 0));
      message_handle msg(rd_kafka_consumer_poll(s.consumer.get(), timeout_ms));
      if (s.assignment_error) return s.assignment_error;
      // Nothing waiting and nothing held: caught up, which counts as progress.
      if (!msg && s.batch.empty()) health_.last_progress_ns.store(impl::now_ns());
      rd_kafka_poll(s.producer.get(), 0);
      if (msg && msg->err) {
        // Consumer errors are informational (librdkafka retries); a fatal one stops us.
        if (msg->err == RD_KAFKA_RESP_ERR__FATAL) return make_kafka_error(msg->err);
        log::warn("kafka.consumer.error", {{"error", rd_kafka_message_errstr(msg.get())}});
      } else if (msg) {
        s.batch_bytes += msg->len + msg->key_len;
        s.batch.emplace_back(std::move(msg));
      }
      if (stopping_.load(std::memory_order_relaxed)) break;
      if (s.batch.empty()) break;
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    if (s.batch.empty()) continue;
    if (auto fatal = s.process_batch(counters_)) {
      log::error("kafka.transaction.fatal", {{"error", fatal.message()}});
      return fatal;
    }
  }
  return {};
}

}  // namespace civic::kafka
