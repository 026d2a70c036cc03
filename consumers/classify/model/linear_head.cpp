#include "consumers/classify/model/linear_head.hpp"

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

  std::vector<float> x(n * dims);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < dims; ++j)
      x[i * dims + j] = (examples[i].embedding[j] - h.mean[j]) * h.dense_scale;

  std::vector<float> p(k), grad_dense(k * dims), grad_sparse(k * piece_feature_dims), grad_bias(k);
  const float inv_n = 1.0f / static_cast<float>(n);
  for (int epoch = 0; epoch < how.epochs; ++epoch) {
    std::fill(grad_dense.begin(), grad_dense.end(), 0.0f);
    std::fill(grad_sparse.begin(), grad_sparse.end(), 0.0f);
    std::fill(grad_bias.begin(), grad_bias.end(), 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      const float* xi = x.data() + i * dims;
      const auto& pieces = examples[i].pieces;
      for (std::size_t c = 0; c < k; ++c) {
        const float* w = h.dense_w.data() + c * dims;
        float z = h.bias[c];
        for (std::size_t j = 0; j < dims; ++j) z += w[j] * xi[j];
        const float* s = h.sparse_w.data() + c * piece_feature_dims;
        for (const auto& e : pieces) z += s[e.index] * e.value * h.sparse_scale;
        p[c] = z;
      }
      softmax(p);
      for (const auto& [c, t] : examples[i].targets) p[c] -= t;
      for (std::size_t c = 0; c < k; ++c) {
        const float g = p[c] * inv_n;
        if (g == 0) continue;
        float* gd = grad_dense.data() + c * dims;
        for (std::size_t j = 0; j < dims; ++j) gd[j] += g * xi[j];
        float* gs = grad_sparse.data() + c * piece_feature_dims;
        for (const auto& e : pieces) gs[e.index] += g * e.value * h.sparse_scale;
        grad_bias[c] += g;
      }
    }
    for (std::size_t i = 0; i < h.dense_w.size(); ++i)
      h.dense_w[i] -= how.learning_rate * (grad_dense[i] + how.l2 * h.dense_w[i]);
    for (std::size_t i = 0; i < h.sparse_w.size(); ++i)
      h.sparse_w[i] -= how.learning_rate * (grad_sparse[i] + how.l2 * h.sparse_w[i]);
    for (std::size_t c = 0; c < k; ++c) h.bias[c] -= how.learning_rate * grad_bias[c];
  }
  return h;
}

}  // namespace civic::classify::model
