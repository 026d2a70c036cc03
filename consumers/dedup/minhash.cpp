#include "consumers/dedup/minhash.hpp"

#include <xxhash.h>

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
  for (size_t i = 0; i < signature_size; ++i) {
    s.minima[i] = static_cast<uint8_t>(minima[i] >> 56);
  }
  for (size_t i = 0; i < lsh_values; ++i) s.lsh[i] = static_cast<uint16_t>(minima[i] >> 40);
  return s;
}

double estimate_jaccard(const signature& a, const signature& b) {
  if (a.empty || b.empty) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < signature_size; ++i) if (a.minima[i] == b.minima[i]) ++equal;
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
