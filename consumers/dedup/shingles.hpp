#pragma once
// Character shingles of normalised text: the units MinHash compares.

#include <cstdint>
#include <string_view>
#include <vector>

namespace civic::dedup {

// Hashes (64-bit, sorted, unique) of the shingles of normalize_for_dedup output.
// Korean has no reliable word boundaries for this purpose (particles attach to
// nouns: 포트홀이, 포트홀을), so a token holding Hangul gives its syllable
// bigrams; other tokens give character trigrams of " token " (so short words
// and word starts count), English function words left out. A one-character
// token gives itself.
std::vector<uint64_t> shingle_hashes(std::string_view normalized);

}  // namespace civic::dedup
