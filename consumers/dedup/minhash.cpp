#include "consumers/dedup/minhash.hpp"

#include <xxhash.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <bit>
#include <cstring>
#include <limits>

namespace civic::dedup {
namespace {

// Fixed per-permutation multipliers and offsets (splitmix64 of the index), so
// signatures are the same in every process and across restarts. Kept as two
// arrays so that the minima loop reads each with plain vector loads.
struct permutations {
  std::array<uint64_t, signature_size> multiplier;
  std::array<uint64_t, signature_size> offset;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

const permutations& permutation_table() {
  static const auto table = [] {
    permutations t{};
    for (size_t i = 0; i < signature_size; ++i) {
      t.multiplier[i] = splitmix64(2 * i + 1) | 1ULL;
      t.offset[i] = splitmix64(2 * i + 2);
    }
    return t;
  }();
  return table;
}

// Every shingle through every permutation, the smallest value kept for each.
void fold_minima_plain(std::span<const uint64_t> shingle_hashes, const permutations& perms,
                       std::array<uint64_t, signature_size>& minima) {
  for (uint64_t h : shingle_hashes) {
    for (size_t i = 0; i < signature_size; ++i) {
      uint64_t v = h * perms.multiplier[i] + perms.offset[i];
      v ^= v >> 29;
      if (v < minima[i]) minima[i] = v;
    }
  }
}

#if defined(__x86_64__)
// The same integers, 64 permutations at a time held in registers while every
// shingle passes through them (8 lanes of 64-bit multiplies and minima an
// instruction; the compiler does not vectorise the plain loop at -O2).
__attribute__((target("avx512f,avx512dq"))) void fold_minima_avx512(
    std::span<const uint64_t> shingle_hashes, const permutations& perms,
    std::array<uint64_t, signature_size>& minima) {
  constexpr size_t lanes = 8, vectors = 8, block = lanes * vectors;
  constexpr __mmask8 all = 0xFF;
  static_assert(signature_size % block == 0);
  for (size_t at = 0; at < signature_size; at += block) {
    __m512i mul[vectors], add[vectors], low[vectors];
    for (size_t j = 0; j < vectors; ++j) {
      mul[j] = _mm512_loadu_si512(perms.multiplier.data() + at + j * lanes);
      add[j] = _mm512_loadu_si512(perms.offset.data() + at + j * lanes);
      low[j] = _mm512_loadu_si512(minima.data() + at + j * lanes);
    }
    for (uint64_t h : shingle_hashes) {
      const __m512i x = _mm512_set1_epi64(static_cast<long long>(h));
#pragma GCC unroll 8  // keeps the 24 vectors in registers
      for (size_t j = 0; j < vectors; ++j) {
        __m512i v = _mm512_add_epi64(_mm512_mullo_epi64(x, mul[j]), add[j]);
        // The zero-masked forms: GCC 12's plain ones trip -Wmaybe-uninitialized
        // in its own header (every lane is written either way).
        v = _mm512_xor_si512(v, _mm512_maskz_srli_epi64(all, v, 29));
        low[j] = _mm512_maskz_min_epu64(all, low[j], v);
      }
    }
    for (size_t j = 0; j < vectors; ++j)
      _mm512_storeu_si512(minima.data() + at + j * lanes, low[j]);
  }
}

// The same integers on AVX2, which has neither a 64-bit multiply nor an unsigned
// 64-bit minimum: the low 64 bits of h * m are lo(h)lo(m) + (hi(h)lo(m) +
// lo(h)hi(m)) << 32, three 32-bit multiplies; the minima are kept with their
// sign bit flipped, so that a signed comparison orders them as unsigned.
__attribute__((target("avx2"))) void fold_minima_avx2(
    std::span<const uint64_t> shingle_hashes, const permutations& perms,
    std::array<uint64_t, signature_size>& minima) {
  constexpr size_t lanes = 4, vectors = 4, block = lanes * vectors;
  static_assert(signature_size % block == 0);
  const __m256i sign = _mm256_set1_epi64x(static_cast<long long>(1ULL << 63));
  for (size_t at = 0; at < signature_size; at += block) {
    __m256i mul[vectors], mul_high[vectors], add[vectors], low[vectors];
    for (size_t j = 0; j < vectors; ++j) {
      mul[j] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(perms.multiplier.data() + at + j * lanes));
      mul_high[j] = _mm256_srli_epi64(mul[j], 32);
      add[j] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(perms.offset.data() + at + j * lanes));
      low[j] = _mm256_xor_si256(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(minima.data() + at + j * lanes)),
          sign);
    }
    for (uint64_t h : shingle_hashes) {
      const __m256i x = _mm256_set1_epi64x(static_cast<long long>(h));
      const __m256i x_high = _mm256_set1_epi64x(static_cast<long long>(h >> 32));
#pragma GCC unroll 4
      for (size_t j = 0; j < vectors; ++j) {
        const __m256i cross =
            _mm256_add_epi64(_mm256_mul_epu32(x_high, mul[j]), _mm256_mul_epu32(x, mul_high[j]));
        __m256i v = _mm256_add_epi64(_mm256_mul_epu32(x, mul[j]), _mm256_slli_epi64(cross, 32));
        v = _mm256_add_epi64(v, add[j]);
        v = _mm256_xor_si256(v, _mm256_srli_epi64(v, 29));
        v = _mm256_xor_si256(v, sign);
        low[j] = _mm256_blendv_epi8(low[j], v, _mm256_cmpgt_epi64(low[j], v));
      }
    }
    for (size_t j = 0; j < vectors; ++j)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(minima.data() + at + j * lanes),
                          _mm256_xor_si256(low[j], sign));
  }
}
#endif

}  // namespace

namespace detail {

const char* minima_path_name(minima_path path) {
  switch (path) {
    case minima_path::avx512:
      return "avx512";
    case minima_path::avx2:
      return "avx2";
    case minima_path::plain:
      break;
  }
  return "plain";
}

minima_path best_minima_path() {
#if defined(__x86_64__)
  static const minima_path best = [] {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
      return minima_path::avx512;
    if (__builtin_cpu_supports("avx2")) return minima_path::avx2;
    return minima_path::plain;
  }();
  return best;
#else
  return minima_path::plain;
#endif
}

signature make_signature_on(minima_path path, std::span<const uint64_t> shingle_hashes) {
  signature s;
  if (shingle_hashes.empty()) return s;
  s.empty = false;
  std::array<uint64_t, signature_size> minima;
  minima.fill(std::numeric_limits<uint64_t>::max());
  const permutations& perms = permutation_table();
  switch (path) {
#if defined(__x86_64__)
    case minima_path::avx512:
      fold_minima_avx512(shingle_hashes, perms, minima);
      break;
    case minima_path::avx2:
      fold_minima_avx2(shingle_hashes, perms, minima);
      break;
#endif
    default:
      fold_minima_plain(shingle_hashes, perms, minima);
      break;
  }
  // The low bits of a minimum are uniform; its high bits are not (a minimum of
  // many values is small), so they would agree by chance far too often.
  for (size_t i = 0; i < signature_size; ++i) s.minima[i] = static_cast<uint8_t>(minima[i]);
  for (size_t i = 0; i < lsh_values; ++i) s.lsh[i] = static_cast<uint16_t>(minima[i] >> 8);
  return s;
}

}  // namespace detail

signature make_signature(std::span<const uint64_t> shingle_hashes) {
  return detail::make_signature_on(detail::best_minima_path(), shingle_hashes);
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
