#include "consumers/answers/service.hpp"

#include "common/error/errc.hpp"
#include "common/kafka/compacted_reader.hpp"
#include "common/kafka/handles.hpp"
#include "common/log/log.hpp"
#include "common/metrics/prometheus_text.hpp"
#include "common/ops/processor_ops.hpp"
#include "common/responses/delivery.hpp"

namespace civic::answers {
using namespace std::chrono_literals;

namespace {

// The partition count of a topic; 0 when it does not exist.
int partitions_of(rd_kafka_t* client, const std::string& name) {
  rd_kafka_topic_t* topic = rd_kafka_topic_new(client, name.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  int count = 0;
  if (!rd_kafka_metadata(client, 0, topic, &metadata, 10000) && metadata->topic_cnt == 1 &&
      !metadata->topics[0].err) {
    count = metadata->topics[0].partition_cnt;
  }
  if (metadata) rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(topic);
  return count;
}

// The case step writes partition p of the changelog and the ledger for partition p
// of the work topic: the three must have the same partition count.
std::optional<std::string> check_topics(rd_kafka_t* client, const topics& names) {
  int work = partitions_of(client, names.work);
  int changelog = partitions_of(client, names.changelog);
  int ledger = partitions_of(client, names.ledger);
  for (auto [name, n] : {std::pair<const std::string&, int>{names.work, work},
                         {names.changelog, changelog},
                         {names.ledger, ledger}}) {
    if (n == 0) return "no topic " + name + " (add it to deploy/topics.manifest)";
  }
  if (work != changelog || work != ledger) {
    return names.work + ", " + names.changelog + " and " + names.ledger +
           " need the same partition count (they have " + std::to_string(work) + ", " +
           std::to_string(changelog) + ", " + std::to_string(ledger) + ")";
  }
  return std::nullopt;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

service::service(service_config config, kafka::properties kafka)
    : config_(std::move(config)), kafka_(std::move(kafka)), stats_pace_(config_.stats_interval) {}

service::~service() {
  processor_.reset();  // leaves the group: on_revoked stops the workers
  workers_.clear();
}

expected<std::unique_ptr<service>, std::string> service::create(
    service_config config, kafka::properties kafka,
    std::vector<std::unique_ptr<channel_client>> clients) {
  std::unique_ptr<service> s(new service(std::move(config), std::move(kafka)));
  service* self = s.get();
  auto opener = crypto::reply_opener::create(self->config_.private_keys);
  if (!opener) return unexpected("answers.reply_token.private_keys: " + opener.error());
  self->opener_ = std::move(*opener);
  self->clients_ = std::move(clients);
  self->shared_.kafka = self->kafka_;
  self->shared_.names = self->config_.names;
  self->shared_.transactional_prefix = self->config_.ledger_transactional_prefix;
  self->shared_.settings = self->config_.delivery;
  self->shared_.opener = self->opener_.get();
  self->shared_.rates = &self->rates_;
  // A worker that stopped on its own leaves its partition's deliveries waiting:
  // the instance stops (exit 1, not ready meanwhile) so that it is restarted and the
  // partition's new worker resumes from the ledger.
  self->shared_.on_failed = [self](int32_t partition) {
    log::error("answers.worker.failed", {{"partition", partition}});
    self->worker_failed_.store(true);
    self->stop();
  };
  for (const auto& c : self->clients_) {
    self->shared_.clients.emplace(std::string(c->channel()), c.get());
    self->rates_.set_rate(std::string(c->channel()), c->rate_per_second());
    log::info("answers.channel.enabled", {{"channel", c->channel()}});
  }

  const auto& names = self->config_.names;
  auto settings = kafka::service_settings(self->config_, self->kafka_,
                                          {names.unique, names.responses, names.work},
                                          kafka::membership::static_by_transactional_id);

  kafka::transactional_processor::handlers handlers;
  handlers.process = [self](std::span<const kafka::consumed_message> batch,
                            std::vector<kafka::record>& out) { return self->process(batch, out); };
  handlers.on_assigned = [self](const std::vector<kafka::topic_partition>& assigned) {
    auto partitions = kafka::partitions_of(assigned, self->config_.names.work);
    if (auto error = self->restore(partitions)) return error;
    self->start_workers(partitions);
    return std::error_code();
  };
  handlers.on_revoked = [self](const std::vector<kafka::topic_partition>& revoked) {
    std::vector<int32_t> partitions;
    for (const auto& tp : revoked) {
      if (tp.topic == self->config_.names.work) {
        partitions.push_back(tp.partition);
        self->books_.erase(tp.partition);
      }
    }
    self->stop_workers(partitions);
  };
  handlers.on_aborted = [self] {
    kafka::restore_after_abort(
        self->counters_, self->books_,
        [self](const std::vector<int32_t>& partitions) { return self->restore(partitions); },
        "answers.restore_failed", self->fatal_error_, [self] { self->stop(); });
  };
  handlers.on_committed = [self](size_t, size_t) {
    self->counters_.commit();
    self->log_stats(false);
  };
  auto processor = kafka::transactional_processor::create(std::move(settings), std::move(handlers));
  if (!processor) return unexpected(std::move(processor).error());
  if (auto wrong = check_topics((*processor)->native_consumer(), self->config_.names)) {
    return unexpected(*wrong);
  }
  s->processor_ = std::move(*processor);
  return s;
}

std::error_code service::restore(const std::vector<int32_t>& partitions) {
  for (int32_t p : partitions) books_.insert_or_assign(p, case_book(config_.cases));
  auto failed = kafka::read_compacted(
      kafka_, config_.names.changelog, partitions, 120s,
      [this](int32_t partition, std::string_view key, std::optional<std::string_view> value) {
        if (value) books_.at(partition).restore(key, *value);
      });
  if (failed) {
    log::error("answers.restore_failed", {{"topic", config_.names.changelog}, {"error", *failed}});
    return std::make_error_code(std::errc::io_error);
  }
  for (int32_t p : partitions) {
    log::info("answers.partition.restored", {{"partition", p}, {"cases", books_.at(p).cases()}});
  }
  return {};
}

void service::start_workers(const std::vector<int32_t>& partitions) {
  for (int32_t p : partitions) {
    if (workers_.contains(p)) continue;
    auto worker = std::make_unique<delivery_worker>(p, shared_, worker_counters_);
    worker->start();
    workers_.emplace(p, std::move(worker));
  }
}

void service::stop_workers(const std::vector<int32_t>& partitions) {
  for (int32_t p : partitions) {
    auto found = workers_.find(p);
    if (found == workers_.end()) continue;
    found->second->stop();
    workers_.erase(found);
  }
}

std::error_code service::process(std::span<const kafka::consumed_message> batch,
                                 std::vector<kafka::record>& out) {
  case_counters& counters = counters_.live();
  int64_t now = wall_ms();
  for (const auto& m : batch) {
    inbound_record in{m.topic(), m.partition(), m.key(), m.value(), m.headers()};
    if (in.topic == config_.names.unique) {
      if (auto r = route_report(in, config_.names, counters)) out.push_back(std::move(*r));
    } else if (in.topic == config_.names.responses) {
      if (auto r = route_response(in, config_.names, counters)) out.push_back(std::move(*r));
    } else {
      auto [book, created] = books_.try_emplace(m.partition(), config_.cases);
      book->second.fold(in, config_.names, out, counters, now);
    }
  }
  return {};
}

void service::log_stats(bool force) {
  if (!stats_pace_.due(force)) return;
  const case_counters& counters = counters_.live();
  auto outcome = [this](responses::delivery_outcome o) {
    return worker_counters_.outcomes[static_cast<size_t>(o)].load();
  };
  using responses::delivery_outcome;
  log::info("answers.stats", {{"reports_routed", counters.reports_routed},
                              {"reports_without_reply", counters.reports_without_reply},
                              {"recipients_added", counters.recipients_added},
                              {"updates_expanded", counters.updates_expanded},
                              {"updates_without_recipients", counters.updates_without_recipients},
                              {"jobs_created", counters.jobs_created},
                              {"deadlettered", counters.deadlettered},
                              {"requests", worker_counters_.requests.load()},
                              {"delivered", outcome(delivery_outcome::delivered)},
                              {"published", outcome(delivery_outcome::published)},
                              {"failed", outcome(delivery_outcome::failed)},
                              {"window_expired", outcome(delivery_outcome::window_expired)},
                              {"opted_out", outcome(delivery_outcome::opted_out)},
                              {"unconfirmed", outcome(delivery_outcome::unconfirmed)},
                              {"partitions", workers_.size()}});
}

std::error_code service::run() {
  log::info("answers.started");
  std::error_code result = processor_->run();
  log_stats(true);
  processor_->leave_group();  // static membership: otherwise its partitions wait for the timeout
  if (result) return result;
  if (worker_failed_.load()) return make_error_code(errc::unavailable);
  return fatal_error_;
}

ops::readiness service::readiness() const {
  if (worker_failed_.load())
    return {false, R"({"status":"not_ready","reason":"delivery_worker_failed"})"};
  return ops::processor_readiness(*processor_, config_.ready_stall);
}

std::string service::metrics_text() const {
  metrics::text_writer w;
  ops::write_processor_metrics(w, "answers", *processor_, config_.ready_stall);
  const case_counters c = counters_.published();
  auto number = [](uint64_t v) { return static_cast<double>(v); };
  w.family("answers_reports_total", "counter", "Reports seen by the case step, by what it did.");
  w.sample("answers_reports_total", {{"result", "routed"}}, number(c.reports_routed));
  w.sample("answers_reports_total", {{"result", "without_reply"}}, number(c.reports_without_reply));
  w.counter("answers_updates_expanded_total", "Updates turned into one delivery per recipient.",
            number(c.updates_expanded));
  w.counter("answers_deliveries_created_total", "Deliveries (update, recipient) made.",
            number(c.jobs_created));
  w.counter("answers_deadlettered_total", "Records sent to the dead-letter topic.",
            number(c.deadlettered));
  w.counter("answers_channel_requests_total", "Requests made to the channels' APIs.",
            number(worker_counters_.requests.load()));
  w.family("answers_delivery_outcomes_total", "counter", "Deliveries finished, by outcome.");
  using responses::delivery_outcome;
  for (auto o : {delivery_outcome::delivered, delivery_outcome::published, delivery_outcome::failed,
                 delivery_outcome::window_expired, delivery_outcome::opted_out,
                 delivery_outcome::unconfirmed}) {
    w.sample("answers_delivery_outcomes_total", {{"outcome", std::string(responses::to_string(o))}},
             number(worker_counters_.outcomes[static_cast<size_t>(o)].load()));
  }
  return w.take();
}

void service::stop() noexcept { processor_->stop(); }

}  // namespace civic::answers
