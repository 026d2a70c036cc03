#pragma once
// A linear softmax classifier over a sentence embedding and sparse piece
// features: logits = W_dense (e - mean) * dense_scale + W_sparse x * sparse_scale + b.
// Trained by full-batch gradient descent with L2 (deterministic: the same data
// gives the same weights).

#include <span>
#include <string>
#include <vector>

#include "consumers/classify/model/piece_features.hpp"

namespace civic::classify::model {

struct head_example {
  std::vector<float> embedding;
  std::vector<sparse_entry> pieces;
  // Target distribution over the classes (sums to 1).
  std::vector<std::pair<std::size_t, float>> targets;
};

struct head_training {
  int epochs = 400;
  float learning_rate = 0.5f;
  float l2 = 1e-3f;
};

struct linear_head {
  std::vector<std::string> classes;
  std::size_t dims = 0;
  float dense_scale = 10.0f;
  float sparse_scale = 10.0f;
  std::vector<float> mean;      // dims
  std::vector<float> dense_w;   // classes x dims
  std::vector<float> sparse_w;  // classes x piece_feature_dims
  std::vector<float> bias;      // classes

  // Writes one probability per class.
  void probabilities(std::span<const float> embedding, std::span<const sparse_entry> pieces,
                     std::span<float> out) const;

  static linear_head train(std::vector<std::string> classes, std::size_t dims,
                           const std::vector<head_example>& examples, const head_training& how);
};

}  // namespace civic::classify::model
