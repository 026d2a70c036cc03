#include "consumers/dedup/service/options.hpp"

#include <doctest/doctest.h>

using namespace civic;

namespace {

expected<dedup::service_config, std::string> configure(std::vector<std::string_view> args) {
  auto settings =
      config::load(dedup::options(), args, [](const std::string&) { return std::nullopt; });
  if (!settings) return unexpected(settings.error());
  return dedup::make_service_config(*settings);
}

}  // namespace

TEST_CASE("dedup configuration: documented defaults, and thresholds checked") {
  auto defaults = configure({});
  REQUIRE(defaults.has_value());
  CHECK(defaults->dedup.near_window_ms == 72LL * 3600 * 1000);
  CHECK(defaults->dedup.exact_window_ms == 72LL * 3600 * 1000);
  CHECK(defaults->dedup.radius_m == 250);
  CHECK(defaults->dedup.district_text_threshold == 0.07);
  CHECK(defaults->names.input == "feedback.ingested");
  CHECK(defaults->names.unique == "feedback.unique");
  CHECK(defaults->names.changelog == "dedup.changelog");

  auto tuned = configure({"--dedup.near_window_hours=48", "--dedup.text_threshold=0.2"});
  REQUIRE(tuned.has_value());
  CHECK(tuned->dedup.near_window_ms == 48LL * 3600 * 1000);
  CHECK(tuned->dedup.text_threshold == 0.2);

  auto bad = configure({"--dedup.district_text_threshold=1.5"});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().find("dedup.district_text_threshold") != std::string::npos);
  CHECK_FALSE(configure({"--dedup.text_threshold=abc"}).has_value());
  CHECK_FALSE(configure({"--dedup.radius_m=1"}).has_value());
}

TEST_CASE("dedup configuration: the answer clocks' keys, each checked") {
  auto defaults = configure({});
  REQUIRE(defaults.has_value());
  const auto& levels = defaults->dedup.service_levels;
  CHECK(levels.classes.at("immediate") == sla::limit{3, sla::limit_unit::working_hours});
  CHECK(levels.kind_classes.at("idea") == "proposal");
  CHECK(levels.calendar.periods.size() == 2);
  CHECK(defaults->holidays_file == "deploy/config/holidays/kr-2026-2027.txt");

  auto tuned =
      configure({"--dedup.sla.limits=grievance:5d,fast:2h", "--dedup.sla.kinds=complaint:grievance",
                 "--dedup.sla.urgent_class=fast", "--dedup.sla.working_hours=08:00-17:00"});
  REQUIRE_MESSAGE(tuned.has_value(), tuned.error());
  CHECK(tuned->dedup.service_levels.urgent_class == "fast");
  CHECK(tuned->dedup.service_levels.calendar.periods.front().begin == 8 * 60);

  auto unknown = configure({"--dedup.sla.kinds=complaint:nonesuch"});
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().find("dedup.sla.kinds") != std::string::npos);
  CHECK_FALSE(configure({"--dedup.sla.limits=grievance:7w"}).has_value());
  CHECK_FALSE(configure({"--dedup.sla.urgent_class=nonesuch"}).has_value());
  CHECK_FALSE(configure({"--dedup.sla.working_hours=18:00-09:00"}).has_value());
}
