#include "consumers/classify/model/piece_features.hpp"

#include <algorithm>
#include <cmath>

namespace civic::classify::model {
namespace {

uint32_t unigram(int id) {
  return static_cast<uint32_t>((static_cast<uint64_t>(static_cast<uint32_t>(id)) * 2654435761u) %
                               piece_feature_dims);
}

uint32_t bigram(int a, int b) {
  uint64_t h =
      (static_cast<uint64_t>(static_cast<uint32_t>(a)) * 1000003u) ^ static_cast<uint32_t>(b);
  return static_cast<uint32_t>((h * 2654435761u) % piece_feature_dims);
}

}  // namespace

std::vector<sparse_entry> piece_features(std::span<const int> ids) {
  std::vector<uint32_t> hashes;
  hashes.reserve(ids.size() * 2);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    hashes.push_back(unigram(ids[i]));
    if (i + 1 < ids.size()) hashes.push_back(bigram(ids[i], ids[i + 1]));
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<sparse_entry> out;
  for (std::size_t i = 0; i < hashes.size();) {
    std::size_t j = i;
    while (j < hashes.size() && hashes[j] == hashes[i]) ++j;
    out.push_back({hashes[i], std::log1p(static_cast<float>(j - i))});
    i = j;
  }
  float norm = 0;
  for (const auto& e : out) norm += e.value * e.value;
  norm = std::sqrt(norm);
  if (norm > 0)
    for (auto& e : out) e.value /= norm;
  return out;
}

}  // namespace civic::classify::model
