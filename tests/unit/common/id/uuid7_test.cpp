#include "common/id/uuid7.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace std::chrono;

TEST_CASE("UUIDv7 ids have version 7, the RFC variant, and sort by time") {
  auto t0 = system_clock::time_point(milliseconds(1'763'000'000'000));
  std::string a = civic::make_uuid7(t0);
  std::string b = civic::make_uuid7(t0 + milliseconds(1));
  CHECK(a.size() == 36);
  CHECK(a[14] == '7');
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);
  CHECK(a < b);
  CHECK(a.substr(0, 13) == "019a7afd-1e00");  // 1763000000000 ms = 0x019a7afd1e00
}

TEST_CASE("UUIDv7 ids made in the same millisecond are distinct") {
  std::set<std::string> ids;
  auto now = system_clock::now();
  for (int i = 0; i < 10000; ++i) ids.insert(civic::make_uuid7(now));
  CHECK(ids.size() == 10000);
}
