#include "consumers/dedup/minhash.hpp"

#include <xxhash.h>

#include <bit>
#include <cstring>
#include <limits>

namespace civic::dedup {
namespace {

// Fixed per-permutation multipliers and offsets (splitmix64 of the index), so
// signatures are the same in every process and across restarts.
struct permutation {
  uint64_t multiplier;
  uint64_t offset;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

const std::array<permutation, signature_size>& permutations() {
  static const auto table = [] {
    std::array<permutation, signature_size> t{};
    for (size_t i = 0; i < t.size(); ++i) {
      t[i] = {splitmix64(2 * i + 1) | 1ULL, splitmix64(2 * i + 2)};
    }
    return t;
  }();
  return table;
}

}  // namespace

signature make_signature(std::span<const uint64_t> shingle_hashes) {
  signature s;
  if (shingle_hashes.empty()) return s;
  s.empty = false;
  std::array<uint64_t, signature_size> minima;
  minima.fill(std::numeric_limits<uint64_t>::max());
  const auto& perms = permutations();
  for (uint64_t h : shingle_hashes) {
    for (size_t i = 0; i < signature_size; ++i) {
      uint64_t v = h * perms[i].multiplier + perms[i].offset;
      v ^= v >> 29;
      if (v < minima[i]) minima[i] = v;
    }
  }
  // The low bits of a minimum are uniform; its high bits are not (a minimum of
  // many values is small), so they would agree by chance far too often.
  for (size_t i = 0; i < signature_size; ++i) s.minima[i] = static_cast<uint8_t>(minima[i]);
  for (size_t i = 0; i < lsh_values; ++i) s.lsh[i] = static_cast<uint16_t>(minima[i] >> 8);
  return s;
}

double estimate_jaccard(const signature& a, const signature& b) {
  if (a.empty || b.empty) return 0.0;
  // Eight minima at a time: count the zero bytes of a XOR b.
  static_assert(signature_size % 8 == 0);
  constexpr uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  size_t equal = 0;
  for (size_t i = 0; i < signature_size; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.minima.data() + i, 8);
    std::memcpy(&y, b.minima.data() + i, 8);
    uint64_t diff = x ^ y;
    // High bit of each byte set exactly when that byte of diff is zero.
    uint64_t zero = ~(((diff & low7) + low7) | diff | low7);
    equal += static_cast<size_t>(std::popcount(zero));
  }
  // b-bit correction: unrelated minima agree by chance with probability 2^-8.
  constexpr double chance = 1.0 / 256.0;
  double observed = static_cast<double>(equal) / static_cast<double>(signature_size);
  double estimate = (observed - chance) / (1.0 - chance);
  return estimate < 0 ? 0.0 : estimate;
}

std::vector<uint64_t> band_keys(const signature& s, size_t bands, uint64_t salt) {
  std::vector<uint64_t> keys;
  if (s.empty) return keys;
  for (size_t band = 0; band < bands && band < lsh_values; ++band) {
    uint32_t packed = static_cast<uint32_t>(band) << 16 | s.lsh[band];
    keys.push_back(XXH3_64bits_withSeed(&packed, sizeof packed, salt));
  }
  return keys;
}

}  // namespace civic::dedup
