#include "consumers/classify/model/int8_dot.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace civic::classify::model {
namespace {

int32_t scalar_dot(const int8_t* a, const int8_t* b, std::size_t n) {
  int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += static_cast<int16_t>(a[i]) * static_cast<int16_t>(b[i]);
  return sum;
}

#if defined(__x86_64__)
// 16 values a step through vpmaddwd in four independent sums; the compiler's
// own vectorisation of the plain loop is a third as fast.
__attribute__((target("avx2"))) int32_t avx2_dot(const int8_t* a, const int8_t* b, std::size_t n) {
  std::size_t i = 0;
  __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                    _mm256_setzero_si256()};
  for (; i + 64 <= n; i += 64)
    for (int j = 0; j < 4; ++j) {
      const auto* pa = reinterpret_cast<const __m128i*>(a + i + 16 * static_cast<std::size_t>(j));
      const auto* pb = reinterpret_cast<const __m128i*>(b + i + 16 * static_cast<std::size_t>(j));
      acc[j] =
          _mm256_add_epi32(acc[j], _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(pa)),
                                                     _mm256_cvtepi8_epi16(_mm_loadu_si128(pb))));
    }
  const __m256i total =
      _mm256_add_epi32(_mm256_add_epi32(acc[0], acc[1]), _mm256_add_epi32(acc[2], acc[3]));
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), total);
  int32_t sum = 0;
  for (int32_t lane : lanes) sum += lane;
  return sum + scalar_dot(a + i, b + i, n - i);
}

// GCC 12's _mm512_reduce_add_epi32 trips -Wmaybe-uninitialized in its own header.
__attribute__((target("avx512f"))) int32_t lane_sum(__m512i v) {
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, v);
  int32_t sum = 0;
  for (int32_t lane : lanes) sum += lane;
  return sum;
}

// The tail past the last 64 values, against the shifted query like the rest.
int32_t shifted_tail(const int8_t* row, const uint8_t* shifted, std::size_t from, std::size_t to) {
  int32_t sum = 0;
  for (std::size_t j = from; j < to; ++j) sum += int32_t{row[j]} * int32_t{shifted[j]};
  return sum;
}

// vpdpbusd multiplies unsigned by signed bytes, four products into each 32-bit
// lane, without saturating. The query is shifted to unsigned (q + 128), so each
// row's sum comes out 128 * sum(row) too high, which is subtracted: exact, the
// same integers as the other paths, 64 values an instruction. Four rows at a
// time share the query's loads.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_scan(
    std::span<const int8_t> rows, std::span<const int32_t> row_sums, std::span<const int8_t> query,
    std::span<int32_t> out) {
  const std::size_t dims = query.size(), count = out.size(), wide = dims / 64 * 64;
  alignas(64) uint8_t shifted[1024];
  for (std::size_t j = 0; j < dims; ++j) shifted[j] = static_cast<uint8_t>(query[j] + 128);
  const int8_t* base = rows.data();
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                      _mm512_setzero_si512()};
    for (std::size_t j = 0; j < wide; j += 64) {
      const __m512i q = _mm512_load_si512(shifted + j);
      for (std::size_t r = 0; r < 4; ++r)
        acc[r] = _mm512_dpbusd_epi32(acc[r], q, _mm512_loadu_si512(base + (i + r) * dims + j));
    }
    for (std::size_t r = 0; r < 4; ++r)
      out[i + r] = lane_sum(acc[r]) + shifted_tail(base + (i + r) * dims, shifted, wide, dims) -
                   128 * row_sums[i + r];
  }
  for (; i < count; ++i) {
    __m512i acc = _mm512_setzero_si512();
    for (std::size_t j = 0; j < wide; j += 64)
      acc = _mm512_dpbusd_epi32(acc, _mm512_load_si512(shifted + j),
                                _mm512_loadu_si512(base + i * dims + j));
    out[i] = lane_sum(acc) + shifted_tail(base + i * dims, shifted, wide, dims) - 128 * row_sums[i];
  }
}
#endif

enum class path { scalar, avx2, vnni };

path detect() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) return path::vnni;
  if (__builtin_cpu_supports("avx2")) return path::avx2;
#endif
  return path::scalar;
}

path chosen() {
  static const path p = detect();
  return p;
}

}  // namespace

int32_t int8_dot(const int8_t* a, const int8_t* b, std::size_t n) {
#if defined(__x86_64__)
  if (chosen() != path::scalar) return avx2_dot(a, b, n);
#endif
  return scalar_dot(a, b, n);
}

void int8_scan(std::span<const int8_t> rows, std::span<const int32_t> row_sums,
               std::span<const int8_t> query, std::span<int32_t> out) {
  const std::size_t dims = query.size();
#if defined(__x86_64__)
  // The shifted query lives on the stack: 1,024 values at most (the encoder's are 512).
  if (chosen() == path::vnni && dims <= 1024) return vnni_scan(rows, row_sums, query, out);
#endif
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = int8_dot(rows.data() + i * dims, query.data(), dims);
}

const char* int8_scan_path() {
  switch (chosen()) {
    case path::vnni:
      return "avx512-vnni";
    case path::avx2:
      return "avx2";
    case path::scalar:
      break;
  }
  return "scalar";
}

}  // namespace civic::classify::model
