#pragma once
// The real Kafka broker the integration tests run against: started by the CTest
// fixture (tests/support/kafka-fixture), which writes its address to a file.

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "support/files.hpp"

namespace civic::test {

// KAFKA_BOOTSTRAP_SERVERS if set, else the fixture's address; empty if neither.
inline std::string broker_bootstrap() {
  if (const char* env = std::getenv("KAFKA_BOOTSTRAP_SERVERS")) return env;
  if (const char* file = std::getenv("CIVIC_TEST_BOOTSTRAP_FILE")) {
    std::string address = read_file(file);
    while (!address.empty() && (address.back() == '\n' || address.back() == ' '))
      address.pop_back();
    return address;
  }
  return {};
}

// broker_bootstrap(), required: a test that needs the broker fails without one.
inline std::string required_broker() {
  std::string bootstrap = broker_bootstrap();
  REQUIRE_MESSAGE(!bootstrap.empty(),
                  "no broker: run through ctest (kafka fixture) or script/test");
  return bootstrap;
}

}  // namespace civic::test
