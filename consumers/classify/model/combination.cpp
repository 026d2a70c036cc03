#include "consumers/classify/model/combination.hpp"

#include <algorithm>
#include <numeric>

namespace civic::classify::model {

void blend(std::span<float> probabilities, std::span<const float> vote, float share) {
  for (std::size_t c = 0; c < probabilities.size() && c < vote.size(); ++c)
    probabilities[c] = (1 - share) * probabilities[c] + share * vote[c];
}

std::vector<double> combine(std::span<const float> probabilities, std::span<const double> rules,
                            double rule_weight, double rule_cap) {
  std::vector<double> out(probabilities.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<double>(probabilities[i]) +
             (i < rules.size() ? rule_weight * std::min(rules[i] / rule_cap, 1.0) : 0.0);
  return out;
}

std::vector<std::size_t> ranking(std::span<const double> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace civic::classify::model
