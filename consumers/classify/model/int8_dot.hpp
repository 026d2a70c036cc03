#pragma once
// Dot products of 8-bit vectors summed exactly in 32 bits: the nearest
// examples' scan, one query against every example.

#include <cstddef>
#include <cstdint>
#include <span>

namespace civic::classify::model {

int32_t int8_dot(const int8_t* a, const int8_t* b, std::size_t n);

// out[i] = int8_dot(rows + i * dims, query, dims) for every row; row_sums[i]
// is the sum of row i's values (what the VNNI path needs, see int8_dot.cpp).
// Picks the fastest instructions this CPU has, once; every path gives the same
// integers.
void int8_scan(std::span<const int8_t> rows, std::span<const int32_t> row_sums,
               std::span<const int8_t> query, std::span<int32_t> out);

// The path int8_scan takes here: "avx512-vnni", "avx2" or "scalar".
const char* int8_scan_path();

}  // namespace civic::classify::model
