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
