// The gateway process: configuration, Kafka producer, ingest pipeline, server.
// Wiring only; the work happens in ingest/ and server/.

#include <cstdio>

#include "common/auth/auth_options.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/log.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/options.hpp"
#include "gateway/subscribe/service.hpp"
#include "gateway/subscribe/token_command.hpp"

using namespace civic;

int main(int argc, char** argv) {
  auto args = config::arguments(argc, argv);
  if (!args.empty() && args.front() == "token") {
    return gateway::subscribe::run_token_command(std::span(args).subspan(1));
  }
  if (config::wants_help(args)) {
    std::fputs(config::help_text("gateway",
                                 "takes citizen messages over WebSocket and HTTP and publishes "
                                 "them to Kafka, acknowledging each once Kafka has stored it",
                                 gateway::options())
                   .c_str(),
               stdout);
    return 0;
  }
  auto settings = config::load(gateway::options(), args);
  if (!settings) {
    std::fprintf(stderr, "gateway: %s\n", settings.error().c_str());
    return 2;
  }
  log::level level;
  if (!log::parse_level(settings->text("log.level"), level)) {
    std::fprintf(stderr, "gateway: log.level must be debug, info, warn or error\n");
    return 2;
  }
  log::set_min_level(level);
  auto cfg = gateway::make_gateway_config(*settings);
  if (!cfg) {
    std::fprintf(stderr, "gateway: %s\n", cfg.error().c_str());
    return 2;
  }

  auto producer = kafka::producer::create(settings->kafka_properties());
  if (!producer) {
    std::fprintf(stderr, "gateway: %s\n", producer.error().c_str());
    return 2;
  }
  gateway::ops::metrics metrics;
  gateway::ingest::publisher publisher(std::move(*producer), cfg->publisher);
  gateway::ingest::in_flight_budget budget(cfg->in_flight_budget_bytes);
  gateway::ingest::pipeline pipeline(cfg->limits, {cfg->author_key}, publisher, metrics);
  auto adapters = gateway::channels::make_enabled_adapters(*settings);
  if (!adapters) {
    std::fprintf(stderr, "gateway: %s\n", adapters.error().c_str());
    return 2;
  }
  for (const auto& [name, adapter] : *adapters) log::info("channel.enabled", {{"channel", name}});
  gateway::channels::rate_limiter limiter(cfg->channel_rate, cfg->client_rate);
  gateway::channels::dispatcher channels(std::move(*adapters), pipeline, budget, limiter);

  // The subscribe module: on when enabled and a token key is configured.
  std::unique_ptr<gateway::subscribe::service> subscribe;
  if (settings->boolean("subscribe.enabled")) {
    auto sub_settings = gateway::subscribe::make_service_settings(*settings);
    if (!sub_settings) {
      std::fprintf(stderr, "gateway: %s\n", sub_settings.error().c_str());
      return 2;
    }
    auto keys = auth::verifier_settings_from(*settings);
    if (!keys) {
      log::warn("subscribe.disabled", {{"detail", keys.error()}});
    } else {
      auto started = gateway::subscribe::service::start(std::move(*sub_settings), std::move(*keys));
      if (!started) {
        std::fprintf(stderr, "gateway: %s\n", started.error().c_str());
        return 2;
      }
      subscribe = std::move(*started);
      log::info("subscribe.enabled", {{"dashboard_files", subscribe->dashboard().size()}});
    }
  }

  auto server = gateway::server::server::create(
      cfg->server, {pipeline, budget, publisher, metrics, channels, subscribe.get()});
  if (!server) {
    log::error("gateway.start_failed", {{"detail", server.error()}});
    return 1;
  }
  if (!publisher.kafka_ready()) {
    log::warn("kafka.unreachable",
              {{"detail", "no broker answered yet; refusing messages until one does"}});
  }
  (*server)->run();
  log::info("gateway.stopped");
  return 0;
}
