#include "common/kafka/service_loop.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/log/log.hpp"

namespace {

struct counters {
  int records = 0;
};

struct aborted_service {
  civic::kafka::transaction_counters<counters> counts;
  std::map<int32_t, std::string> held{{0, "a"}, {3, "b"}};
  std::vector<int32_t> restored;
  std::error_code restore_error;
  std::error_code fatal;
  int stops = 0;
  std::vector<std::string> log_lines;

  void abort() {
    civic::log::set_sink([this](std::string_view line) { log_lines.emplace_back(line); });
    civic::kafka::restore_after_abort(
        counts, held,
        [this](const std::vector<int32_t>& partitions) {
          restored = partitions;
          return restore_error;
        },
        "test.restore_failed", fatal, [this] { ++stops; });
    civic::log::set_sink(nullptr);
  }
};

}  // namespace

TEST_CASE("an aborted transaction rolls the counters back and restores the held partitions") {
  aborted_service s;
  s.counts.live().records = 2;
  s.counts.commit();
  s.counts.live().records = 5;
  s.abort();
  CHECK(s.counts.live().records == 2);
  CHECK(s.restored == std::vector<int32_t>{0, 3});
  CHECK_FALSE(s.fatal);
  CHECK(s.stops == 0);
  CHECK(s.log_lines.empty());
}

TEST_CASE("a restore that fails after an abort is logged, kept and stops the service") {
  aborted_service s;
  s.restore_error = std::make_error_code(std::errc::io_error);
  s.abort();
  CHECK(s.fatal == std::errc::io_error);
  CHECK(s.stops == 1);
  REQUIRE(s.log_lines.size() == 1);
  CHECK(s.log_lines[0].find("\"event\":\"test.restore_failed\"") != std::string::npos);
}
