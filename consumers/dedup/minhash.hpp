#pragma once
// MinHash signatures and LSH band keys. b-bit MinHash (Li and König): only 8
// bits of each minimum are kept, and 512 minima instead of 64 full ones: the
// same 512 bytes estimate Jaccard similarity about twice as precisely around
// the thresholds dedup uses (0.05 to 0.2), where precision decides.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace civic::dedup {

inline constexpr size_t signature_size = 512;
// LSH needs more bits per minimum than 8 (else a band of one minimum has only
// 256 values): 16 bits of the first lsh_values minima are kept apart.
inline constexpr size_t lsh_values = 16;

struct signature {
  std::array<uint8_t, signature_size> minima{};
  std::array<uint16_t, lsh_values> lsh{};
  bool empty = true;  // no shingles: similar to nothing
  bool operator==(const signature&) const = default;
};

signature make_signature(std::span<const uint64_t> shingle_hashes);

// Estimated Jaccard similarity of the two shingle sets, in [0, 1].
double estimate_jaccard(const signature& a, const signature& b);

// One key per band (of one 16-bit minimum each, at most lsh_values bands); two
// signatures share the key of band i when those minima agree, which happens
// with probability J. `salt` separates independent indexes (one per locality).
std::vector<uint64_t> band_keys(const signature& s, size_t bands, uint64_t salt);

namespace detail {
// The instructions the minima are computed with; every path gives the same
// signature (tests compare them on the paths this CPU has).
enum class minima_path { plain, avx2, avx512 };
const char* minima_path_name(minima_path path);
// The fastest this CPU offers, found once; make_signature uses it.
minima_path best_minima_path();
signature make_signature_on(minima_path path, std::span<const uint64_t> shingle_hashes);
}  // namespace detail

}  // namespace civic::dedup
