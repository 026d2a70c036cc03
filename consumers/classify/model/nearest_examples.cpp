#include "consumers/classify/model/nearest_examples.hpp"

#include <algorithm>
#include <cmath>

#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/classify/model/int8_dot.hpp"

namespace civic::classify::model {

void nearest_examples::add(std::string id, std::span<const float> embedding,
                           std::span<const std::pair<std::size_t, float>> target, uint32_t kind) {
  const std::size_t at = vectors.size();
  vectors.resize(at + embedding.size());
  scales.push_back(
      quantise_embedding(embedding, std::span<int8_t>(vectors.data() + at, embedding.size())));
  int32_t sum = 0;
  for (std::size_t j = at; j < vectors.size(); ++j) sum += vectors[j];
  sums.push_back(sum);
  std::array<example_target, 2> t{};
  for (std::size_t i = 0; i < target.size() && i < t.size(); ++i)
    t[i] = {static_cast<uint32_t>(target[i].first), target[i].second};
  targets.push_back(t);
  ids.push_back(std::move(id));
  if (kind != no_kind || !kinds.empty()) {
    kinds.resize(ids.size() - 1, no_kind);  // examples added before without a kind
    kinds.push_back(kind);
  }
}

std::vector<float> nearest_examples::vector(std::size_t example) const {
  std::vector<float> v(dims);
  for (std::size_t j = 0; j < dims; ++j)
    v[j] = static_cast<float>(vectors[example * dims + j]) * scales[example];
  return v;
}

void nearest_examples::probabilities(std::span<const float> embedding, std::span<float> out,
                                     std::vector<neighbour>* nearest) const {
  std::fill(out.begin(), out.end(), 0.0f);
  if (nearest) nearest->clear();
  const std::size_t n = size();
  if (n == 0 || embedding.size() != dims) return;
  thread_local std::vector<int8_t> query;
  query.resize(dims);
  const float query_scale = quantise_embedding(embedding, query);
  thread_local std::vector<int32_t> dots;
  dots.resize(n);
  int8_scan(vectors, sums, query, dots);
  thread_local std::vector<neighbour> top;
  top.clear();
  for (std::size_t i = 0; i < n; ++i)
    top.push_back({i, static_cast<float>(dots[i]) * scales[i] * query_scale});
  const std::size_t keep = std::min(k, n);
  // Ties go to the earlier example, so the same data gives the same vote.
  auto more_similar = [](const neighbour& a, const neighbour& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.example < b.example;
  };
  std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(keep), top.end(),
                    more_similar);
  top.resize(keep);
  const float best = top.front().similarity;
  float total = 0;
  for (const auto& nb : top) {
    const float w = vote_weight(nb, best);
    total += w;
    for (const auto& t : targets[nb.example])
      if (t.weight > 0 && t.cls < out.size()) out[t.cls] += w * t.weight;
  }
  for (float& p : out) p /= total;
  if (nearest) *nearest = top;
}

void nearest_examples::kind_probabilities(std::span<const neighbour> nearest,
                                          std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  if (nearest.empty() || kinds.size() != size()) return;
  const float best = nearest.front().similarity;
  float total = 0;
  for (const auto& nb : nearest) {
    if (nb.example >= kinds.size() || kinds[nb.example] >= out.size()) continue;
    const float w = vote_weight(nb, best);
    total += w;
    out[kinds[nb.example]] += w;
  }
  if (total > 0)
    for (float& p : out) p /= total;
}

}  // namespace civic::classify::model
