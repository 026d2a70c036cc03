#include "consumers/dedup/service/service.hpp"

#include <algorithm>
#include <tuple>

#include "common/log/log.hpp"
#include "common/ops/processor_ops.hpp"
#include "consumers/dedup/service/changelog.hpp"
#include "consumers/dedup/service/metrics.hpp"

namespace civic::dedup {
using namespace std::chrono_literals;

service::service(service_config config, kafka::properties kafka, placement_function place)
    : config_(std::move(config)),
      kafka_(std::move(kafka)),
      place_(std::move(place)),
      stats_pace_(config_.stats_interval) {}

expected<std::unique_ptr<service>, std::string> service::create(service_config config,
                                                                kafka::properties kafka,
                                                                placement_function place) {
  std::unique_ptr<service> s(new service(std::move(config), std::move(kafka), std::move(place)));
  service* self = s.get();
  const auto& names = self->config_.names;
  auto settings =
      kafka::service_settings(self->config_, self->kafka_,
                              {names.input, names.repartition, names.responses, names.deliveries},
                              kafka::membership::static_by_transactional_id);

  kafka::transactional_processor::handlers handlers;
  handlers.process = [self](std::span<const kafka::consumed_message> batch,
                            std::vector<kafka::record>& out) { return self->process(batch, out); };
  handlers.on_assigned = [self](const std::vector<kafka::topic_partition>& assigned) {
    auto partitions = kafka::partitions_of(assigned, self->config_.names.repartition);
    std::error_code restored = self->restore(partitions);
    if (!restored) {
      self->owned_repartition_.insert(partitions.begin(), partitions.end());
      self->learn_repartition_partitions();
    }
    return restored;
  };
  handlers.on_revoked = [self](const std::vector<kafka::topic_partition>& revoked) {
    for (const auto& tp : revoked) {
      if (tp.topic == self->config_.names.repartition) {
        self->engines_.erase(tp.partition);
        self->closed_.erase(tp.partition);
        self->owned_repartition_.erase(tp.partition);
      }
    }
  };
  handlers.on_aborted = [self] {
    // Forget what the aborted batch did: the changelog holds the last commit.
    kafka::restore_after_abort(
        self->counters_, self->engines_,
        [self](const std::vector<int32_t>& partitions) { return self->restore(partitions); },
        "dedup.restore_failed", self->fatal_error_, [self] { self->stop(); });
  };
  handlers.on_committed = [self](size_t, size_t) {
    size_t open = self->open_cases();
    self->counters_.commit([self, open] { self->published_open_cases_ = open; });
    self->log_stats(false);
  };

  auto processor = kafka::transactional_processor::create(std::move(settings), std::move(handlers));
  if (!processor) return unexpected(std::move(processor).error());
  s->processor_ = std::move(*processor);
  return s;
}

std::error_code service::restore(const std::vector<int32_t>& partitions) {
  auto restored = read_changelog(kafka_, config_.names.changelog, partitions, 120s);
  if (!restored) {
    log::error("dedup.restore_failed",
               {{"topic", config_.names.changelog}, {"error", restored.error()}});
    return std::make_error_code(std::errc::io_error);
  }
  for (auto& [partition, cases] : *restored) {
    auto [it, inserted] = engines_.try_emplace(partition, config_.dedup);
    it->second.clear();
    closed_cases& closed = closed_of(partition);
    closed.clear();
    // Oldest first, as they were created: the indexes keep the newest cases per
    // bucket, so a restore must leave the same ones as the original run did.
    std::sort(cases.begin(), cases.end(), [](const case_state& a, const case_state& b) {
      return std::tie(a.first_seen_ms, a.id) < std::tie(b.first_seen_ms, b.id);
    });
    for (auto& c : cases) {
      if (c.closed) {
        closed.put(std::move(c));
      } else {
        it->second.restore(std::move(c));
      }
    }
    log::info("dedup.partition.restored", {{"partition", partition},
                                           {"open_cases", it->second.open_cases()},
                                           {"closed_cases", closed.size()}});
  }
  return {};
}

closed_cases& service::closed_of(int32_t partition) {
  return closed_.try_emplace(partition, config_.closed_case_retention_ms, config_.max_closed_cases)
      .first->second;
}

size_t service::open_cases() const {
  size_t open = 0;
  for (const auto& [p, engine] : engines_) open += engine.open_cases();
  return open;
}

void service::learn_repartition_partitions() {
  const std::string& topic = config_.names.repartition;
  // The topics this consumer knows (it subscribes to the repartition topic).
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(processor_->native_consumer(), 0, nullptr, &metadata, 10'000);
  int32_t count = 0;
  for (int i = 0; !err && i < metadata->topic_cnt; ++i) {
    const auto& t = metadata->topics[i];
    if (t.topic == topic && !t.err) count = t.partition_cnt;
  }
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  if (count != repartition_partitions_) {
    log::info("dedup.repartition.partitions", {{"topic", topic}, {"count", count}});
  }
  repartition_partitions_ = count;
}

void service::deduplicate(const inbound_record& in, std::vector<kafka::record>& out,
                          step_counters& counters) {
  auto [engine, created] = engines_.try_emplace(in.partition, config_.dedup);
  lifecycle_context life{closed_of(in.partition), config_.lifecycle};
  deduplicate_repartitioned(in, engine->second, life, place_, config_.names, out, counters);
}

void service::forward(kafka::record rec, std::vector<kafka::record>& out, step_counters& counters) {
  if (rec.topic != config_.names.repartition || repartition_partitions_ <= 0 ||
      !config_.repartition_locally) {
    out.push_back(std::move(rec));
    return;
  }
  // librdkafka's default partitioner (CRC-32 of the key), chosen here rather than
  // at produce time so that both ways agree on a locality's partition.
  rec.partition = rd_kafka_msg_partitioner_consistent_random(
      nullptr, rec.key.data(), rec.key.size(), repartition_partitions_, nullptr, nullptr);
  if (!owned_repartition_.contains(rec.partition)) {
    out.push_back(std::move(rec));
    return;
  }
  ++counters.repartitioned_locally;
  deduplicate({rec.topic, rec.partition, rec.key, rec.value, std::move(rec.headers)}, out,
              counters);
}

std::error_code service::process(std::span<const kafka::consumed_message> batch,
                                 std::vector<kafka::record>& out) {
  step_counters& counters = counters_.live();
  for (const auto& m : batch) {
    inbound_record in{m.topic(), m.partition(), m.key(), m.value(), m.headers()};
    if (in.topic == config_.names.input) {
      forward(route_ingested(in, place_, config_.names, counters), out, counters);
    } else if (in.topic == config_.names.responses) {
      forward(route_response(in, config_.names, counters), out, counters);
    } else if (in.topic == config_.names.deliveries) {
      if (auto routed = route_delivery(in, config_.names, counters)) {
        forward(std::move(*routed), out, counters);
      }
    } else {
      deduplicate(in, out, counters);
    }
  }
  keep_last_case_records(out, config_.names);
  return {};
}

void service::log_stats(bool force) {
  if (!stats_pace_.due(force)) return;
  const step_counters& counters = counters_.live();
  log::info("dedup.stats", {{"routed", counters.routed},
                            {"deadlettered", counters.deadlettered},
                            {"new_cases", counters.new_cases},
                            {"near_duplicates", counters.near_duplicates},
                            {"exact_duplicates_dropped", counters.exact_duplicates},
                            {"cases_closed", counters.cases_closed},
                            {"responses_folded", counters.responses_folded},
                            {"responses_repeated", counters.responses_repeated},
                            {"responses_unmatched", counters.responses_unmatched},
                            {"thresholds_crossed", counters.thresholds_crossed},
                            {"deliveries_folded", counters.deliveries_folded},
                            {"cases_retired", counters.cases_retired},
                            {"open_cases", open_cases()},
                            {"partitions", engines_.size()}});
}

std::error_code service::run() {
  log::info("dedup.started", {{"group", config_.group_id}, {"input", config_.names.input}});
  std::error_code result = processor_->run();
  log_stats(true);
  processor_->leave_group();
  return result ? result : fatal_error_;
}

ops::readiness service::readiness() const {
  return ops::processor_readiness(*processor_, config_.ready_stall);
}

std::string service::metrics_text() const {
  metrics::text_writer w;
  ops::write_processor_metrics(w, "dedup", *processor_, config_.ready_stall);
  counters_.read_published(
      [&](const step_counters& c) { write_metrics(w, c, published_open_cases_); });
  return w.take();
}

void service::stop() noexcept { processor_->stop(); }

}  // namespace civic::dedup
