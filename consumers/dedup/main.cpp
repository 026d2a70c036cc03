// dedup: the exactly-once dedup service (default), or `dedup cluster`, the same
// deduplicator over corpus lines on stdin. Wiring only; the work is in the library.

#include <cstdio>
#include <iostream>

#include "common/config/program.hpp"
#include "common/log/log.hpp"
#include "common/ops/service_process.hpp"
#include "common/sla/working_calendar.hpp"
#include "consumers/dedup/classifier_placement.hpp"
#include "consumers/dedup/cluster_command.hpp"
#include "consumers/dedup/service/options.hpp"
#include "consumers/dedup/service/service.hpp"

using namespace civic;

namespace {

constexpr const char* summary =
    "removes retries and cross-posts and merges reports of one issue into cases, exactly once "
    "(feedback.ingested -> feedback.unique, feedback.cases).\n"
    "  dedup [options]          run the service\n"
    "  dedup cluster [options]  read corpus JSON lines on stdin (arrival order), write one\n"
    "                           "
    "{\"id\",\"case\",\"duplicate_of\",\"match\",\"divisions\",\"district\"}\n"
    "                           line per input";

}  // namespace

int main(int argc, char** argv) {
  auto args = config::arguments(argc, argv);
  bool cluster = !args.empty() && args.front() == "cluster";
  if (cluster) args.erase(args.begin());
  const config::program program{"dedup", summary};
  auto settings = config::start(program, dedup::options(), args);
  if (!settings) return settings.error();
  auto cfg = dedup::make_service_config(*settings);
  if (!cfg) return config::refuse(program, cfg.error());
  if (!cfg->holidays_file.empty()) {
    auto holidays = sla::load_holidays(cfg->holidays_file);
    if (!holidays) return config::refuse(program, "dedup.sla.holidays: " + holidays.error());
    cfg->dedup.service_levels.calendar.holidays = std::move(*holidays);
  }
  auto place = dedup::load_classifier_placement(cfg->rules_file, cfg->related_share,
                                                cfg->model_file, cfg->model_dir);
  if (!place) {
    std::fprintf(stderr, "dedup: %s\n", place.error().c_str());
    return 2;
  }

  if (cluster) {
    std::ios::sync_with_stdio(false);
    auto totals = dedup::run_cluster(std::cin, std::cout, cfg->dedup, *place);
    log::info("dedup.cluster.done", {{"lines", totals.lines},
                                     {"errors", totals.errors},
                                     {"new_cases", totals.new_cases},
                                     {"near_duplicates", totals.near_duplicates},
                                     {"exact_duplicates", totals.exact_duplicates}});
    return totals.errors == 0 ? 0 : 1;
  }

  auto service = dedup::service::create(*cfg, settings->kafka_properties(), *place);
  if (!service) {
    log::error("dedup.start_failed", {{"detail", service.error()}});
    return 1;
  }
  return ops::service_process<dedup::service>::run("dedup", **service, cfg->ops_listen);
}
