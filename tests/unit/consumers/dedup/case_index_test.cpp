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

TEST_CASE("a key goes from one case to several and back without losing or keeping any") {
  case_index index(2);
  auto under = [&](uint64_t key) {
    std::vector<uint64_t> found;
    index.collect(key, found);
    std::sort(found.begin(), found.end());
    return found;
  };
  index.add(8, 10);
  index.remove(8, 11);  // another case: nothing changes
  CHECK(under(8) == std::vector<uint64_t>{10});
  index.add(8, 11);
  CHECK(under(8) == std::vector<uint64_t>{10, 11});
  index.remove(8, 10);
  CHECK(under(8) == std::vector<uint64_t>{11});
  index.add(8, 12);
  index.add(8, 13);  // at capacity 2: the oldest, 11, makes room
  CHECK(under(8) == std::vector<uint64_t>{12, 13});
  index.remove(8, 12);
  index.remove(8, 13);
  CHECK(under(8).empty());
  CHECK(index.size() == 0);
  index.add(8, 14);
  CHECK(under(8) == std::vector<uint64_t>{14});

  case_index newest_only(1);
  newest_only.add(1, 5);
  newest_only.add(1, 6);
  std::vector<uint64_t> found;
  newest_only.collect(1, found);
  CHECK(found == std::vector<uint64_t>{6});
}
