#pragma once
// The labelled examples nearest to a message: the training messages'
// embeddings, kept with the heads, and a vote of the k most similar (cosine,
// weighted by exp(similarity / temperature)) over their divisions. Beside the
// linear head it remembers rare wordings a single hyperplane per class averages
// away, and it explains a decision by the examples it resembles. The same
// neighbours vote for their kinds too (kind_probabilities), when the examples
// keep them.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace civic::classify::model {

// The training message a noisy copy was made from: "t0012n" -> "t0012"
// (script/lib/augment_training.py); the id itself for an original.
inline std::string_view original_example_id(std::string_view id) {
  while (!id.empty() && id.back() == 'n') id.remove_suffix(1);
  return id;
}

struct example_target {
  uint32_t cls = 0;
  float weight = 0;  // 0: no such target
};

struct neighbour {
  std::size_t example = 0;
  float similarity = 0;
};

class nearest_examples {
 public:
  std::size_t k = 10;
  float temperature = 0.05f;
  std::size_t classes = 0, dims = 0;
  // size() x dims, row-major, each row as 8-bit values times its scale (the
  // embedding codec's packing): a quarter of the memory a float would read.
  std::vector<int8_t> vectors;
  std::vector<float> scales;
  std::vector<int32_t> sums;                           // each row's values summed (for int8_scan)
  std::vector<std::array<example_target, 2>> targets;  // primary, second (weights sum to 1)
  std::vector<std::string> ids;
  // Each example's kind (a class of the kind head), or no_kind; empty when the
  // examples were kept without kinds (heads trained before they were).
  static constexpr uint32_t no_kind = UINT32_MAX;
  std::size_t kind_classes = 0;
  std::vector<uint32_t> kinds;

  std::size_t size() const { return ids.size(); }
  // embedding: unit length. kind: no_kind when the example has none.
  void add(std::string id, std::span<const float> embedding,
           std::span<const std::pair<std::size_t, float>> target, uint32_t kind = no_kind);

  // The example as floats (what add() was given, to 8-bit precision).
  std::vector<float> vector(std::size_t example) const;

  // One probability per class (all zero without examples); `nearest`, when given,
  // receives the k neighbours, most similar first.
  void probabilities(std::span<const float> embedding, std::span<float> out,
                     std::vector<neighbour>* nearest = nullptr) const;

  // The same neighbours' vote over their kinds (weighted as the divisions' vote),
  // one probability per kind class; all zero without neighbours or kinds.
  void kind_probabilities(std::span<const neighbour> nearest, std::span<float> out) const;

 private:
  // A neighbour's say in a vote: exp(similarity / temperature), relative to the
  // most similar one's (so the exponent cannot overflow).
  float vote_weight(const neighbour& nb, float best) const {
    return std::exp((nb.similarity - best) / temperature);
  }
};

}  // namespace civic::classify::model
