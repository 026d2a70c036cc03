#pragma once
// MinHash signatures (b-bit: the low 16 bits of each minimum are kept, which
// estimates Jaccard similarity as well as full minima for the similarities
// dedup cares about, at an eighth of the memory) and LSH band keys.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace civic::dedup {

inline constexpr size_t signature_size = 128;

struct signature {
  std::array<uint16_t, signature_size> minima{};
  bool empty = true;  // no shingles: similar to nothing
  bool operator==(const signature&) const = default;
};

signature make_signature(std::span<const uint64_t> shingle_hashes);

// Estimated Jaccard similarity of the two shingle sets, in [0, 1].
double estimate_jaccard(const signature& a, const signature& b);

// One key per band of `rows` minima, for the first bands * rows minima; two
// signatures share a key of band i when those rows all agree. `salt`
// separates independent indexes (one per division).
std::vector<uint64_t> band_keys(const signature& s, size_t bands, size_t rows, uint64_t salt);

}  // namespace civic::dedup
