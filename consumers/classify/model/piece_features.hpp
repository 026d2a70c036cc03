#pragma once
// The pieces of a text as sparse features: hashed piece unigrams and bigrams,
// log(1 + count), L2-normalised. They carry the exact words a sentence
// embedding blurs (a street name, "jeonse", a bus number), and the linear head
// weighs them next to the embedding.

#include <cstdint>
#include <span>
#include <vector>

namespace civic::classify::model {

inline constexpr uint32_t piece_feature_dims = 8192;

struct sparse_entry {
  uint32_t index;
  float value;
};

// ids: piece ids without BOS and EOS. Sorted by index, no index twice.
std::vector<sparse_entry> piece_features(std::span<const int> ids);

}  // namespace civic::classify::model
