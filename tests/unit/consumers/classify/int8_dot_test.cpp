// The nearest examples' scan: on the instructions this CPU offers (VNNI, AVX2), every
// dot product is the exact integer the plain loop gives, extremes included.

#include "consumers/classify/model/int8_dot.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using civic::classify::model::int8_dot;
using civic::classify::model::int8_scan;
using civic::classify::model::int8_scan_path;

namespace {

int32_t plain_dot(const int8_t* a, const int8_t* b, std::size_t n) {
  int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

void check_scan(std::size_t dims, std::size_t count, std::mt19937& rng) {
  std::uniform_int_distribution<int> value(-128, 127);
  std::vector<int8_t> rows(dims * count), query(dims);
  for (auto& v : rows) v = static_cast<int8_t>(value(rng));
  for (auto& v : query) v = static_cast<int8_t>(value(rng));
  // Extremes: a row of -128 against a query of -128 and of 127.
  if (count > 1) {
    std::fill(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(dims), int8_t{-128});
    std::fill(rows.begin() + static_cast<std::ptrdiff_t>(dims),
              rows.begin() + static_cast<std::ptrdiff_t>(2 * dims), int8_t{127});
  }
  std::vector<int32_t> sums(count), out(count, -1);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < dims; ++j) sums[i] += rows[i * dims + j];
  int8_scan(rows, sums, query, out);
  for (std::size_t i = 0; i < count; ++i) {
    const int32_t want = plain_dot(rows.data() + i * dims, query.data(), dims);
    CHECK(out[i] == want);
    CHECK(int8_dot(rows.data() + i * dims, query.data(), dims) == want);
  }
}

}  // namespace

TEST_CASE("int8 scan: exact dot products on the path this CPU takes") {
  MESSAGE("int8_scan path on this CPU: " << std::string(int8_scan_path()));
  std::mt19937 rng(7);
  check_scan(512, 11, rng);  // the encoder's dimensions; 4 rows at a time and 3 alone
  check_scan(512, 1, rng);
  check_scan(100, 6, rng);  // not a multiple of 64: the tail summed plainly
  check_scan(7, 3, rng);
  check_scan(512, 0, rng);
}

TEST_CASE("int8 scan: a query of all -128 against rows of all -128 and 127") {
  std::vector<int8_t> rows(2 * 512), query(512, int8_t{-128});
  std::fill(rows.begin(), rows.begin() + 512, int8_t{-128});
  std::fill(rows.begin() + 512, rows.end(), int8_t{127});
  std::vector<int32_t> sums = {-128 * 512, 127 * 512}, out(2);
  int8_scan(rows, sums, query, out);
  CHECK(out[0] == 128 * 128 * 512);
  CHECK(out[1] == -128 * 127 * 512);
}
