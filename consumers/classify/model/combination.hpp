#pragma once
// How the model's probabilities and the rules' scores make one decision. Per
// class: probability + rule_weight * min(rule score / rule_cap, 1). The rules
// keep the say where they are sure (an explicit term of a heavy rule), the
// model decides where they are silent or weak. rule_weight is chosen by
// cross-validation on the training data (`router train-model`), never on a set
// that is reported.

#include <span>
#include <vector>

namespace civic::classify::model {

struct combination {
  // Division probabilities: (1 - example_weight) * the linear head's +
  // example_weight * the nearest examples' vote.
  double example_weight = 0;
  double rule_weight = 0.5;  // divisions
  double rule_cap = 4.0;
  // Kind probabilities likewise: (1 - kind_example_weight) * the kind head's +
  // kind_example_weight * the same neighbours' vote over their kinds.
  double kind_example_weight = 0;
  double kind_rule_weight = 0.5;
  double kind_rule_cap = 3.0;
  // A second division: its combined score at least this share of the first's,
  // and its model probability at least second_min_probability, or the rules
  // alone would have chosen it as second division.
  double second_share = 0.6;
  double second_min_probability = 0.35;
};

// probabilities = (1 - share) * probabilities + share * vote, class by class (the
// heads' probabilities with the nearest examples' vote).
void blend(std::span<float> probabilities, std::span<const float> vote, float share);

// Combined score per class.
std::vector<double> combine(std::span<const float> probabilities, std::span<const double> rules,
                            double rule_weight, double rule_cap);

// Indexes of classes by combined score, highest first (ties: lower index first).
std::vector<std::size_t> ranking(std::span<const double> scores);

}  // namespace civic::classify::model
