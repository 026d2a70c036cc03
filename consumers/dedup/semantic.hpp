#pragma once
// What dedup keeps of a report's sentence embedding: packed to 4 bits a value
// with one scale (256 bytes for 512 dimensions, against 2 KB as floats), enough
// to tell a paraphrase or a Korean and an English report of one issue (cosine
// about 0.7 to 0.95) from two different issues (about 0.2 to 0.5); and the
// random-hyperplane bands that index it, so a semantic match is found without
// scanning the open cases.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace civic::dedup {

struct packed_embedding {
  float scale = 0;
  std::vector<uint8_t> nibbles;  // two values a byte, low nibble first
  bool empty() const { return nibbles.empty(); }
  bool operator==(const packed_embedding&) const = default;
};

packed_embedding pack_embedding(std::span<const float> v);
// Cosine similarity of a report's vector with a packed one (0 when either is empty).
double cosine(std::span<const float> v, const packed_embedding& p);

// Text form for the changelog: "<scale>:<hex>"; nullopt when malformed.
std::string packed_to_text(const packed_embedding& p);
std::optional<packed_embedding> packed_from_text(std::string_view text);

// `bands` keys of `bits` sign bits each, from fixed pseudo-random hyperplanes.
std::vector<uint64_t> semantic_band_keys(std::span<const float> v, size_t bands, size_t bits,
                                         uint64_t seed);
std::vector<float> unpack_embedding(const packed_embedding& p);

}  // namespace civic::dedup
