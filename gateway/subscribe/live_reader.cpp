#include "gateway/subscribe/live_reader.hpp"

#include <array>
#include <map>
#include <set>
#include <vector>

#include "common/kafka/handles.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/log/log.hpp"
#include "gateway/subscribe/kafka_client.hpp"

namespace civic::gateway::subscribe {

struct live_reader::impl {
  live_reader_settings settings;
  hub& h;
  std::atomic<bool>& reachable;
  kafka::client_handle client;
  std::atomic<bool> stop{false};
  std::thread thread;
  // What is assigned: topic -> partition count.
  std::map<std::string, int> assigned;
  std::set<std::pair<std::string, int32_t>> started, cases_eof;
  int case_partitions = 0;
  std::chrono::steady_clock::time_point next_error_log{};
  bool first_discovery = true;

  impl(live_reader_settings s, hub& hub_, std::atomic<bool>& r)
      : settings(std::move(s)), h(hub_), reachable(r) {}

  const std::string* division_of(std::string_view topic, std::string& scratch) const {
    const auto& prefix = h.settings().division_prefix;
    if (!topic.starts_with(prefix)) return nullptr;
    scratch.assign(topic.substr(prefix.size()));
    return &scratch;
  }

  void discover() {
    auto topics = list_topics(client.get(), std::chrono::milliseconds(5000));
    if (!topics) {
      reachable = false;
      log::warn("subscribe.metadata_failed", {{"detail", topics.error()}});
      return;
    }
    reachable = true;
    kafka::partition_list_handle added(rd_kafka_topic_partition_list_new(16));
    for (const auto& [topic, partitions] : *topics) {
      bool is_cases = topic == h.settings().cases_topic;
      bool is_division = topic.starts_with(h.settings().division_prefix) &&
                         topic.size() > h.settings().division_prefix.size();
      if (!is_cases && !is_division) continue;
      int had = assigned.count(topic) ? assigned[topic] : 0;
      if (partitions <= had) continue;
      if (is_cases) {
        case_partitions = partitions;
        h.set_case_partitions(static_cast<size_t>(partitions));
      } else {
        h.add_division(topic.substr(h.settings().division_prefix.size()),
                       static_cast<size_t>(partitions));
      }
      for (int p = had; p < partitions; ++p) {
        auto* tp = rd_kafka_topic_partition_list_add(added.get(), topic.c_str(), p);
        if (is_cases || !first_discovery || had > 0) {
          tp->offset = RD_KAFKA_OFFSET_BEGINNING;
        } else {
          tp->offset = settings.prefill_records > 0 ? RD_KAFKA_OFFSET_TAIL(settings.prefill_records)
                                                    : RD_KAFKA_OFFSET_END;
        }
      }
      assigned[topic] = partitions;
      log::info("subscribe.topic_assigned", {{"topic", topic}, {"partitions", partitions}});
    }
    first_discovery = false;
    if (added->cnt == 0) return;
    if (auto* err = rd_kafka_incremental_assign(client.get(), added.get())) {
      log::error("subscribe.assign_failed", {{"detail", rd_kafka_error_string(err)}});
      rd_kafka_error_destroy(err);
    }
  }

  void on_message(rd_kafka_message_t* m) {
    if (!m->rkt) {  // a client-level event (broker down, ...), not a partition's
      auto now = std::chrono::steady_clock::now();
      if (m->err && now >= next_error_log) {
        log::warn("subscribe.kafka_error", {{"detail", rd_kafka_err2str(m->err)}});
        next_error_log = now + std::chrono::seconds(5);
      }
      return;
    }
    std::string_view topic = rd_kafka_topic_name(m->rkt);
    std::string scratch;
    const std::string* division = division_of(topic, scratch);
    bool is_cases = topic == h.settings().cases_topic;
    if (!division && !is_cases) return;
    if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      log::warn(
          "subscribe.fetch_error",
          {{"topic", topic}, {"partition", m->partition}, {"detail", rd_kafka_err2str(m->err)}});
      return;
    }
    auto key = std::make_pair(std::string(topic), m->partition);
    if (!started.count(key)) {
      started.insert(key);
      h.start_partition(division, m->partition, m->offset);
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (is_cases && !h.cases_loaded()) {
        cases_eof.insert(key);
        if (static_cast<int>(cases_eof.size()) >= case_partitions && case_partitions > 0) {
          h.set_cases_loaded();
          log::info("subscribe.cases_loaded", {{"open_cases", h.snapshot_stats().open_cases}});
        }
      }
      return;
    }
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(m, &type);
    std::string_view k = m->key ? std::string_view(static_cast<const char*>(m->key), m->key_len)
                                : std::string_view();
    std::string_view v = m->payload ? std::string_view(static_cast<const char*>(m->payload), m->len)
                                    : std::string_view();
    if (is_cases) {
      h.case_record(m->partition, m->offset, ts, k, v);
    } else {
      h.division_record(*division, m->partition, m->offset, ts, k, v);
    }
  }

  void run() {
    using clock = std::chrono::steady_clock;
    auto next_discovery = clock::now();
    auto next_sweep = clock::now() + settings.sweep_interval;
    while (!stop) {
      if (clock::now() >= next_discovery) {
        discover();
        next_discovery = clock::now() + settings.metadata_refresh;
      }
      kafka::message_handle m(rd_kafka_consumer_poll(client.get(), 50));
      if (m) on_message(m.get());
      // Drain what is already fetched without waiting, up to a bound, then sweep.
      for (int i = 0; m && i < 1000 && !stop; ++i) {
        m.reset(rd_kafka_consumer_poll(client.get(), 0));
        if (m) on_message(m.get());
      }
      if (clock::now() >= next_sweep) {
        h.sweep();
        next_sweep = clock::now() + settings.sweep_interval;
      }
    }
  }
};

live_reader::live_reader(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

live_reader::~live_reader() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
  rd_kafka_consumer_close(impl_->client.get());
}

expected<std::unique_ptr<live_reader>, std::string> live_reader::start(live_reader_settings s,
                                                                       hub& h) {
  auto client = make_assign_only_consumer(s.kafka, "subscribe-live");
  if (!client) return unexpected(std::move(client).error());
  std::unique_ptr<live_reader> reader(new live_reader(nullptr));
  reader->impl_ = std::make_unique<impl>(std::move(s), h, reader->reachable_);
  reader->impl_->client = std::move(*client);
  reader->impl_->thread = std::thread([p = reader->impl_.get()] { p->run(); });
  return reader;
}

}  // namespace civic::gateway::subscribe
