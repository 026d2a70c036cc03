#include "consumers/router/service.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <set>
#include <thread>

#include "common/config/program.hpp"
#include "common/kafka/handles.hpp"
#include "common/log/log.hpp"
#include "common/metrics/prometheus_text.hpp"
#include "common/ops/processor_ops.hpp"
#include "common/ops/service_process.hpp"
#include "consumers/classify/model/semantic_model.hpp"

namespace civic::router {
namespace {

// The topics the cluster has, so that rules naming a division without a topic
// are refused at load instead of failing every transaction afterwards.
expected<std::set<std::string>, std::string> cluster_topics(const kafka::properties& props) {
  return kafka::list_topics(props, std::chrono::seconds(10));
}

}  // namespace

expected<std::unique_ptr<service>, std::string> service::create(service_config config,
                                                                kafka::properties kafka) {
  std::unique_ptr<service> s(new service(std::move(config), std::move(kafka)));
  service* self = s.get();

  auto topics = cluster_topics(self->kafka_);
  if (!topics) return unexpected(std::move(topics.error()));
  // A topic created moments ago (a deploy creating topics, then starting the
  // router) may not be in the metadata yet: look again for a few seconds.
  for (int attempt = 0; attempt < 10 && !topics->contains(self->config_.names.deadletter);
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    topics = cluster_topics(self->kafka_);
    if (!topics) return unexpected(std::move(topics.error()));
  }
  // Without it every unreadable record would abort its transaction, forever.
  if (!topics->contains(self->config_.names.deadletter))
    return unexpected("no topic " + self->config_.names.deadletter +
                      " (router.topic.deadletter; add it to deploy/topics.manifest)");
  auto missing_topics = [self](const classify::classifier& c, const std::set<std::string>& known) {
    std::string missing;
    auto need = c.divisions();
    need.emplace_back(classify::triage_division);
    for (const auto& d : need) {
      const auto topic = self->config_.names.division_prefix + d;
      if (!known.contains(topic)) missing += (missing.empty() ? "" : ", ") + topic;
    }
    return missing;
  };
  auto accept = [self, missing_topics,
                 known = std::move(*topics)](const classify::classifier& c) mutable {
    auto missing = missing_topics(c, known);
    if (!missing.empty()) {
      // The list read at start may be stale: the topic of a new division may
      // have been created since. Ask the cluster again before refusing.
      auto fresh = cluster_topics(self->kafka_);
      if (!fresh)
        return "no topic for: " + missing +
               " (and the topics could not be listed again: " + fresh.error() + ")";
      known = std::move(*fresh);
      missing = missing_topics(c, known);
    }
    return missing.empty() ? std::string()
                           : "no topic for: " + missing + " (add it to deploy/topics.manifest)";
  };
  std::shared_ptr<const classify::model::semantic_model> model;
  if (!self->config_.model_file.empty()) {
    const auto started = std::chrono::steady_clock::now();
    auto loaded =
        classify::model::semantic_model::load(self->config_.model_file, self->config_.model_dir);
    if (!loaded)
      return unexpected("router.model: " + loaded.error() +
                        " (router.model= runs on the rules alone)");
    model = std::move(*loaded);
    log::info("router.model.loaded", {{"heads", self->config_.model_file},
                                      {"encoder", model->encoder_id()},
                                      {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - started)
                                                 .count()}});
  }
  auto rules = rules_reloader::create(self->config_.rules_file, self->config_.rules_check_interval,
                                      std::move(accept), std::move(model));
  if (!rules) return unexpected(std::move(rules.error()));
  self->rules_ = std::move(*rules);

  auto settings = kafka::service_settings(self->config_, self->kafka_, {self->config_.names.input},
                                          kafka::membership::dynamic);

  kafka::transactional_processor::handlers handlers;
  handlers.process = [self](std::span<const kafka::consumed_message> batch,
                            std::vector<kafka::record>& out) { return self->process(batch, out); };
  // The router keeps no per-partition state: the rules are the only state, and
  // they are swapped only between batches.
  handlers.on_assigned = [](const std::vector<kafka::topic_partition>&) {
    return std::error_code();
  };
  handlers.on_revoked = [](const std::vector<kafka::topic_partition>&) {};
  handlers.on_aborted = [self] { self->counters_.roll_back(); };
  handlers.on_committed = [self](std::size_t, std::size_t) {
    self->counters_.commit([self] {
      self->published_reloads_ = self->rules_->reloads();
      self->published_refused_ = self->rules_->refused();
    });
    self->log_stats(false);
  };
  auto processor = kafka::transactional_processor::create(std::move(settings), std::move(handlers));
  if (!processor) return unexpected(std::move(processor.error()));
  s->processor_ = std::move(*processor);
  return s;
}

std::error_code service::process(std::span<const kafka::consumed_message> batch,
                                 std::vector<kafka::record>& out) {
  // One edition of the rules for the whole batch (a reload lands between batches).
  const auto rules = rules_->current();
  for (const auto& m : batch) {
    inbound in{m.topic(), m.key(), m.value(), m.headers(), m.partition(), m.offset()};
    route(in, *rules, config_.names, out, counters_.live(), config_.limits);
  }
  return {};
}

void service::log_stats(bool force) {
  if (!stats_pace_.due(force)) return;
  const route_counters& counters = counters_.live();
  log::info("router.stats", {{"messages", counters.messages},
                             {"routed_records", counters.routed_records},
                             {"two_divisions", counters.two_divisions},
                             {"triage", counters.triage},
                             {"urgent", counters.urgent},
                             {"deadlettered", counters.deadlettered},
                             {"too_large", counters.too_large},
                             {"text_unmatched", counters.text_unmatched},
                             {"embeddings_reused", counters.embeddings_reused},
                             {"rules_reloads", rules_->reloads()},
                             {"rules_refused", rules_->refused()}});
}

std::error_code service::run() {
  log::info("router.started", {{"input", config_.names.input},
                               {"group_id", config_.group_id},
                               {"transactional_id", config_.transactional_id}});
  const auto result = processor_->run();
  log_stats(true);
  processor_->leave_group();
  return result;
}

ops::readiness service::readiness() const {
  return ops::processor_readiness(*processor_, config_.ready_stall);
}

std::string service::metrics_text() const {
  metrics::text_writer w;
  ops::write_processor_metrics(w, "router", *processor_, config_.ready_stall);
  route_counters c;
  uint64_t reloads = 0, refused = 0;
  counters_.read_published([&](const route_counters& published) {
    c = published;
    reloads = published_reloads_;
    refused = published_refused_;
  });
  auto number = [](uint64_t v) { return static_cast<double>(v); };
  w.family("router_messages_total", "counter", "Messages read, by outcome.");
  w.sample("router_messages_total", {{"outcome", "routed"}}, number(c.messages - c.deadlettered));
  w.sample("router_messages_total", {{"outcome", "deadlettered"}}, number(c.deadlettered));
  w.counter("router_routed_records_total",
            "Records written to division topics (one per division of a message).",
            number(c.routed_records));
  w.family("router_routed_messages_total", "counter", "Routed messages, by what they got.");
  w.sample("router_routed_messages_total", {{"kind", "two_divisions"}}, number(c.two_divisions));
  w.sample("router_routed_messages_total", {{"kind", "triage"}}, number(c.triage));
  w.sample("router_routed_messages_total", {{"kind", "urgent"}}, number(c.urgent));
  w.sample("router_routed_messages_total", {{"kind", "text_unmatched"}}, number(c.text_unmatched));
  w.counter("router_too_large_total",
            "Messages dead-lettered for their size (also counted as deadlettered).",
            number(c.too_large));
  w.counter("router_rules_reloads_total", "Rules files loaded after the start.", number(reloads));
  w.counter("router_rules_refused_total", "Rules files refused (the rules in force stay).",
            number(refused));
  return w.take();
}

namespace {

constexpr const char* summary =
    "routes each unique citizen message to the divisions that own it, exactly once "
    "(feedback.unique -> division.<id>).\n"
    "  router [options]           run the service (SIGHUP reloads the rules)\n"
    "  router classify [--rules FILE]\n"
    "                             read corpus JSON lines on stdin, write one decision line per "
    "input";

}  // namespace

int run_service(std::span<const std::string_view> args) {
  // Until the service can reload, a SIGHUP (e.g. a deploy script sending it
  // while the process is still starting) must not kill the process.
  std::signal(SIGHUP, SIG_IGN);
  const config::program program{"router", summary};
  auto settings = config::start(program, options(), args);
  if (!settings) return settings.error();
  auto cfg = make_service_config(*settings);
  if (!cfg) return config::refuse(program, cfg.error());
  auto s = service::create(std::move(*cfg), settings->kafka_properties());
  if (!s) {
    log::error("router.start_failed", {{"detail", s.error()}});
    return 1;
  }
  return ops::service_process<service>::run("router", **s, (*s)->config().ops_listen);
}

}  // namespace civic::router
