#include "consumers/classify/model/linear_head.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace civic::classify::model {
namespace {

void softmax(std::span<float> z) {
  const float top = *std::max_element(z.begin(), z.end());
  float sum = 0;
  for (float& v : z) {
    v = std::exp(v - top);
    sum += v;
  }
  for (float& v : z) v /= sum;
}

}  // namespace

void linear_head::probabilities(std::span<const float> embedding,
                                std::span<const sparse_entry> pieces, std::span<float> out) const {
  const std::size_t k = classes.size();
  thread_local std::vector<float> centred;
  centred.resize(dims);
  for (std::size_t j = 0; j < dims; ++j) centred[j] = (embedding[j] - mean[j]) * dense_scale;
  for (std::size_t c = 0; c < k; ++c) {
    const float* w = dense_w.data() + c * dims;
    float z = bias[c];
    for (std::size_t j = 0; j < dims; ++j) z += w[j] * centred[j];
    const float* s = sparse_w.data() + c * piece_feature_dims;
    for (const auto& e : pieces) z += s[e.index] * e.value * sparse_scale;
    out[c] = z;
  }
  softmax(out.first(k));
}

linear_head linear_head::train(std::vector<std::string> classes, std::size_t dims,
                               const std::vector<head_example>& examples,
                               const head_training& how) {
  linear_head h;
  h.classes = std::move(classes);
  h.dims = dims;
  const std::size_t k = h.classes.size();
  const std::size_t n = examples.size();
  h.mean.assign(dims, 0.0f);
  for (const auto& e : examples)
    for (std::size_t j = 0; j < dims; ++j) h.mean[j] += e.embedding[j] / static_cast<float>(n);
  h.dense_w.assign(k * dims, 0.0f);
  h.sparse_w.assign(k * piece_feature_dims, 0.0f);
  h.bias.assign(k, 0.0f);

  using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  matrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(dims));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < dims; ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (examples[i].embedding[j] - h.mean[j]) * h.dense_scale;

  const auto rows = static_cast<Eigen::Index>(n), classes_n = static_cast<Eigen::Index>(k);
  matrix w = matrix::Zero(classes_n, static_cast<Eigen::Index>(dims));
  matrix logits(rows, classes_n), grad(rows, classes_n);
  std::vector<float> grad_sparse(k * piece_feature_dims);
  const float inv_n = 1.0f / static_cast<float>(n);
  for (int epoch = 0; epoch < how.epochs; ++epoch) {
    logits.noalias() = x * w.transpose();
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = static_cast<Eigen::Index>(i);
      float* z = logits.row(r).data();
      for (std::size_t c = 0; c < k; ++c) {
        z[c] += h.bias[c];
        const float* sw = h.sparse_w.data() + c * piece_feature_dims;
        for (const auto& e : examples[i].pieces) z[c] += sw[e.index] * e.value * h.sparse_scale;
      }
      softmax(std::span<float>(z, k));
      for (const auto& [c, t] : examples[i].targets) z[c] -= t;
    }
    grad = logits * inv_n;
    std::fill(grad_sparse.begin(), grad_sparse.end(), 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      const float* g = grad.row(static_cast<Eigen::Index>(i)).data();
      for (std::size_t c = 0; c < k; ++c) {
        float* gs = grad_sparse.data() + c * piece_feature_dims;
        for (const auto& e : examples[i].pieces) gs[e.index] += g[c] * e.value * h.sparse_scale;
      }
    }
    const matrix grad_dense = grad.transpose() * x;
    w -= how.learning_rate * (grad_dense + how.l2 * w);
    for (std::size_t i = 0; i < h.sparse_w.size(); ++i)
      h.sparse_w[i] -= how.learning_rate * (grad_sparse[i] + how.l2 * h.sparse_w[i]);
    const auto bias_grad = grad.colwise().sum();
    for (std::size_t c = 0; c < k; ++c)
      h.bias[c] -= how.learning_rate * bias_grad(static_cast<Eigen::Index>(c));
  }
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t j = 0; j < dims; ++j)
      h.dense_w[c * dims + j] = w(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j));
  return h;
}

}  // namespace civic::classify::model
