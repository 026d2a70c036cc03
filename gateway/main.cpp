// The gateway process: configuration, Kafka producer, ingest pipeline, the
// routes of every module, server. Wiring only; the work happens in the modules.
// A module with routes adds its add_routes() call below.

#include <cstdio>

#include "common/auth/auth_options.hpp"
#include "common/config/program.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/log.hpp"
#include "gateway/answers/cases_api.hpp"
#include "gateway/auth/settings.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/channels/routes.hpp"
#include "gateway/ingest/routes.hpp"
#include "gateway/open/export_command.hpp"
#include "gateway/open/open_api.hpp"
#include "gateway/ops/routes.hpp"
#include "gateway/options.hpp"
#include "gateway/server/server.hpp"
#include "gateway/subscribe/routes.hpp"
#include "gateway/subscribe/service.hpp"
#include "gateway/subscribe/token_command.hpp"

using namespace civic;

int main(int argc, char** argv) {
  auto args = config::arguments(argc, argv);
  if (!args.empty() && args[0] == "token") {
    return gateway::subscribe::run_token_command(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "open-export") {
    return gateway::open::run_export_command(std::span(args).subspan(1));
  }
  if (!args.empty() && args[0] == "bridge-key") {
    return gateway::auth::bridge_key_command(std::span(args).subspan(1));
  }
  const config::program program{
      "gateway",
      "takes citizen messages over WebSocket and HTTP and publishes them to Kafka, acknowledging "
      "each once Kafka has stored it (`gateway bridge-key NAME CHANNELS` makes a bridge's API "
      "key)"};
  auto settings = config::start(program, gateway::options(), args);
  if (!settings) return settings.error();
  auto cfg = gateway::make_gateway_config(*settings);
  if (!cfg) return config::refuse(program, cfg.error());

  gateway::ops::metrics metrics;
  auto bridges = gateway::auth::make_bridge_authenticator(
      *settings, gateway::channels::webhook_channels(), metrics);
  if (!bridges) {
    std::fprintf(stderr, "gateway: %s\n", bridges.error().c_str());
    return 2;
  }
  auto producer = kafka::producer::create(settings->kafka_properties());
  if (!producer) {
    std::fprintf(stderr, "gateway: %s\n", producer.error().c_str());
    return 2;
  }
  gateway::ingest::publisher publisher(std::move(*producer), cfg->publisher);
  gateway::ingest::in_flight_budget budget(cfg->in_flight_budget_bytes);
  gateway::ingest::pipeline pipeline(cfg->limits, {cfg->author_key, cfg->reply_sealer}, publisher,
                                     budget, metrics);
  if (!cfg->reply_sealer) {
    log::warn("gateway.no_reply_token_key",
              {{"detail",
                "gateway.reply_token.public_key is not set: citizens' messages carry no reply "
                "reference and cannot be answered"}});
  }
  auto adapters = gateway::channels::make_enabled_adapters(*settings);
  if (!adapters) {
    std::fprintf(stderr, "gateway: %s\n", adapters.error().c_str());
    return 2;
  }
  for (const auto& [name, adapter] : *adapters) log::info("channel.enabled", {{"channel", name}});
  gateway::channels::rate_limiter limiter(cfg->channel_rate, cfg->client_rate);
  gateway::channels::dispatcher channels(std::move(*adapters), pipeline, limiter);

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

  gateway::ops::operations ops;
  ops.kafka_ready = [&] { return publisher.kafka_ready(); };
  ops.shutting_down = [&] { return pipeline.shutting_down(); };
  ops.metrics_writers.push_back([&](civic::metrics::text_writer& w) {
    metrics.write(
        w, {static_cast<int64_t>(budget.messages()), static_cast<int64_t>(budget.used_bytes()),
            publisher.queue_depth(), publisher.kafka_ready()});
  });
  ops.metrics_writers.push_back([&](civic::metrics::text_writer& w) { channels.write_metrics(w); });
  if (subscribe) {
    ops.metrics_writers.push_back(
        [&](civic::metrics::text_writer& w) { subscribe->write_metrics(w); });
  }

  // The answer loop: the cases (read from feedback.cases), staff tokens, Open311 ids.
  std::unique_ptr<gateway::answers::case_directory> directory;
  std::optional<auth::jwt_verifier> verifier;
  std::unique_ptr<gateway::answers::cases_api> cases;
  // Open data: the public view of the same cases, fed by the directory's reader.
  auto open_settings = gateway::open::make_open_settings(*settings, cfg->author_key);
  if (!open_settings) {
    std::fprintf(stderr, "gateway: %s\n", open_settings.error().c_str());
    return 2;
  }
  std::unique_ptr<gateway::open::catalog> open_catalog;
  std::unique_ptr<gateway::open::open_api> open_api;
  if (settings->boolean("gateway.answers.enabled")) {
    gateway::answers::case_directory::settings dir_settings{
        settings->text("gateway.answers.cases_topic"), settings->kafka_properties(), {}};
    if (open_settings->enabled) {
      open_catalog =
          std::make_unique<gateway::open::catalog>(open_settings->id_key, std::chrono::seconds(1));
      dir_settings.observer = [c = open_catalog.get()](std::string_view key,
                                                       std::optional<std::string_view> value) {
        c->apply(key, value);
      };
    }
    auto dir = gateway::answers::case_directory::start(std::move(dir_settings));
    if (!dir) {
      std::fprintf(stderr, "gateway: %s\n", dir.error().c_str());
      return 2;
    }
    directory = std::move(*dir);
    if (auto keys = auth::verifier_settings_from(*settings)) {
      auto made = auth::jwt_verifier::create(std::move(*keys));
      if (!made) {
        std::fprintf(stderr, "gateway: %s\n", made.error().c_str());
        return 2;
      }
      verifier.emplace(std::move(*made));
    } else {
      log::warn("gateway.answers.no_token_key",
                {{"detail",
                  "the case updates API answers 503 until auth.jwt.* is set: " + keys.error()}});
    }
    std::optional<gateway::channels::open311_ids> ids;
    if (settings->boolean("channels.open311.enabled")) {
      ids.emplace(settings->text("channels.open311.request_id_key"));
    }
    gateway::answers::cases_api_settings api_settings{
        settings->text("gateway.answers.responses_topic"), cfg->author_key, 10000, std::nullopt};
    auto divisions =
        gateway::answers::division_list::from_rules_file(settings->text("gateway.answers.rules"));
    if (divisions) {
      api_settings.divisions = std::move(*divisions);
    } else {
      log::warn("gateway.answers.no_division_list",
                {{"detail", "reassignments (assign_to) are refused: " + divisions.error()}});
    }
    cases = std::make_unique<gateway::answers::cases_api>(
        std::move(api_settings), *directory, publisher, verifier ? &*verifier : nullptr, **bridges,
        std::move(ids));
    pipeline.divert_with(
        [api = cases.get()](const envelope::message& m) { return api->support_from_reply(m); });
    ops.metrics_writers.push_back(
        [api = cases.get()](civic::metrics::text_writer& w) { api->write_metrics(w); });
  }

  if (open_catalog) {
    std::optional<gateway::subscribe::static_files> page;
    // The dashboard's map and language switch, one source for both pages.
    const auto dashboard_dir = settings->text("dashboard.dir");
    auto files = gateway::subscribe::static_files::load(
        open_settings->page_dir, {{"districts.geojson", open_settings->districts_file},
                                  {"map.js", dashboard_dir + "/map.js"},
                                  {"language.js", dashboard_dir + "/language.js"}});
    if (files) {
      page = std::move(*files);
    } else {
      log::warn("open.no_page", {{"detail", files.error()}});
    }
    open_api =
        std::make_unique<gateway::open::open_api>(*open_settings, *open_catalog, std::move(page));
  }

  gateway::http::routes routes;
  // Before the channels': its Open311 look-ups are more specific than /open311/v2/*.
  if (cases) gateway::answers::add_routes(routes, *cases);
  if (settings->boolean("gateway.ingest.enabled")) {
    gateway::ingest::add_routes(routes, pipeline, cfg->ingest, std::ref(**bridges));
    gateway::channels::add_routes(routes, channels);
  }
  if (subscribe) gateway::subscribe::add_routes(routes, *subscribe);
  if (open_api) gateway::open::add_routes(routes, *open_api);
  gateway::ops::add_routes(routes, ops);

  gateway::server::services services{routes,
                                     metrics,
                                     [&] { pipeline.begin_shutdown(); },
                                     [&] { return budget.messages(); },
                                     [&](std::chrono::milliseconds left) { publisher.close(left); },
                                     subscribe.get(),
                                     &budget};
  auto server = gateway::server::server::create(cfg->server, std::move(services));
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
