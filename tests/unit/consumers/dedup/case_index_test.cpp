#include "consumers/dedup/case_index.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using civic::dedup::case_index;

TEST_CASE("a case index keeps the most recent cases per key, each once") {
  case_index index(3);
  for (uint64_t h = 1; h <= 5; ++h) index.add(42, h);
  index.add(42, 5);
  index.add(7, 1);
  std::vector<uint64_t> found;
  index.collect(42, found);
  std::sort(found.begin(), found.end());
  CHECK(found == std::vector<uint64_t>{3, 4, 5});
  index.remove(42, 4);
  found.clear();
  index.collect(42, found);
  std::sort(found.begin(), found.end());
  CHECK(found == std::vector<uint64_t>{3, 5});
  found.clear();
  index.collect(99, found);
  CHECK(found.empty());
  CHECK(index.size() == 3);
}
