#pragma once
// Reading a test topic back: a consumer in a group of its own, from the earliest
// offset, handing each record to `take` until the topic has been quiet for 3 s
// after at least `at_least` records, or `limit` has passed.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "common/id/uuid7.hpp"
#include "common/kafka/consumer.hpp"

namespace civic::test {

template <class Take>
void read_until_quiet(const std::string& bootstrap, const std::string& topic,
                      const std::string& isolation, size_t at_least, std::chrono::seconds limit,
                      Take take) {
  using clock = std::chrono::steady_clock;
  constexpr auto quiet = std::chrono::seconds(3);
  auto consumer = kafka::consumer::create({{"bootstrap.servers", bootstrap},
                                           {"group.id", "reader-" + make_uuid7()},
                                           {"isolation.level", isolation}});
  REQUIRE(consumer.has_value());
  REQUIRE_FALSE((*consumer)->subscribe({topic}));
  size_t total = 0;
  auto deadline = clock::now() + limit;
  auto quiet_until = clock::now() + quiet;
  while (clock::now() < deadline) {
    auto polled = (*consumer)->poll(std::chrono::milliseconds(200));
    REQUIRE(polled.has_value());
    if (*polled) {
      take(**polled);
      ++total;
      quiet_until = clock::now() + quiet;
    } else if (total >= at_least && clock::now() > quiet_until) {
      break;
    }
  }
}

}  // namespace civic::test
