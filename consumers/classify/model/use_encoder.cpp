#include "consumers/classify/model/use_encoder.hpp"

#include <sentencepiece_processor.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "consumers/classify/model/model_file.hpp"

namespace civic::classify::model {
namespace {

using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using row_vector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using const_map = Eigen::Map<const matrix, Eigen::Aligned64>;
using const_row = Eigen::Map<const row_vector>;

constexpr std::size_t emb_dim = 512;
constexpr std::size_t cnn_dim = 256;
constexpr std::size_t feat_dim = emb_dim + 3 * cnn_dim;
constexpr std::size_t chunks = 17;  // the table's rows are quantised in 17 interleaved groups
struct order_spec {
  int n, left;
};
constexpr std::array<order_spec, 3> orders = {{{2, 0}, {3, 1}, {5, 2}}};
constexpr std::array<const char*, 3> order_names = {"2", "3", "5"};

template <class M>
void layernorm_rows(M&& x, const row_vector& gamma, const row_vector& beta, float eps) {
  const auto cols = static_cast<float>(x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    auto row = x.row(r);
    row.array() -= row.mean();
    const float inv = 1.0f / std::sqrt(row.squaredNorm() / cols + eps);
    row.array() = row.array() * inv * gamma.array() + beta.array();
  }
}

// Rows t-left .. t-left+n-1 of `in` side by side in row t of `out`, zero
// outside the sentence (the reference's zero padding).
void windows(const matrix& in, int n, int left, matrix& out) {
  const auto tokens = in.rows();
  const auto width = in.cols();
  out.resize(tokens, n * width);
  for (Eigen::Index t = 0; t < tokens; ++t)
    for (int k = 0; k < n; ++k) {
      const Eigen::Index src = t - left + k;
      auto block = out.block(t, k * width, 1, width);
      if (src >= 0 && src < tokens)
        block = in.row(src);
      else
        block.setZero();
    }
}

struct scratch {
  std::vector<int> ids;
  matrix feats, x, xs, cols, h, c2;
};

}  // namespace

struct use_encoder::impl {
  std::shared_ptr<const model_file> file;
  sentencepiece::SentencePieceProcessor pieces;
  std::string id;
  tensor table;
  std::array<float, chunks> scale{}, lo{};
  matrix proj_w;
  row_vector proj_b, ln_g_all, ln_b_all, ln_g, ln_b, cnn_b;
  std::array<matrix, 3> w1, w2;
  std::array<row_vector, 3> b1, b2;
  matrix cnn_w, d0, d1, p1, d2, p3, d3;
  float eps = 1e-6f;

  void forward(const std::vector<int>& ids, std::span<float> out) const;
};

use_encoder::use_encoder(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
use_encoder::~use_encoder() = default;
const std::string& use_encoder::id() const { return impl_->id; }
std::size_t use_encoder::vocabulary_size() const {
  return static_cast<std::size_t>(impl_->pieces.GetPieceSize());
}
float use_encoder::piece_score(int id) const { return impl_->pieces.GetScore(id); }

expected<std::shared_ptr<const use_encoder>, std::string> use_encoder::load(
    const std::filesystem::path& weights, const std::filesystem::path& pieces) {
  auto p = std::make_unique<impl>();
  auto file = model_file::open(weights);
  if (!file) return unexpected(std::move(file).error());
  p->file = *file;
  if (auto st = p->pieces.Load(pieces.string()); !st.ok())
    return unexpected(pieces.string() + ": " + st.ToString());

  std::string error;
  auto get = [&](const std::string& name, std::size_t rows, std::size_t cols) -> tensor {
    auto t = p->file->get(name, dtype::f32, rows, cols);
    if (!t) {
      if (error.empty()) error = t.error();
      return {};
    }
    return *t;
  };
  auto as_matrix = [&](const std::string& name, std::size_t rows, std::size_t cols) {
    tensor t = get(name, rows, cols);
    if (!t.data) return matrix();
    return matrix(
        const_map(t.f32(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)));
  };
  auto as_row = [&](const std::string& name, std::size_t n) {
    tensor t = get(name, n, 1);
    if (!t.data) return row_vector();
    return row_vector(const_row(t.f32(), static_cast<Eigen::Index>(n)));
  };

  auto table = p->file->get("table", dtype::u8, 0, emb_dim);
  if (!table) return unexpected(std::move(table).error());
  if (table->rows < static_cast<std::size_t>(p->pieces.GetPieceSize()))
    return unexpected(weights.string() + ": the token table has fewer rows than " +
                      pieces.filename().string() + " has pieces");
  p->table = *table;
  tensor scale = get("scale", chunks, 1), lo = get("lo", chunks, 1);
  if (scale.data && lo.data) {
    std::copy_n(scale.f32(), chunks, p->scale.begin());
    std::copy_n(lo.f32(), chunks, p->lo.begin());
  }
  p->proj_w.resize(emb_dim, 3 * cnn_dim);
  p->proj_b.resize(3 * cnn_dim);
  p->ln_g_all.resize(3 * cnn_dim);
  p->ln_b_all.resize(3 * cnn_dim);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string n = order_names[i];
    const auto at = static_cast<Eigen::Index>(i * cnn_dim);
    const auto width = static_cast<std::size_t>(orders[i].n) * cnn_dim;
    matrix proj = as_matrix("proj" + n, emb_dim, cnn_dim);
    if (proj.size()) p->proj_w.middleCols(at, cnn_dim) = proj;
    row_vector pb = as_row("proj_b" + n, cnn_dim), g = as_row("ln_g" + n, cnn_dim),
               b = as_row("ln_b" + n, cnn_dim);
    if (pb.size() && g.size() && b.size()) {
      p->proj_b.segment(at, cnn_dim) = pb;
      p->ln_g_all.segment(at, cnn_dim) = g;
      p->ln_b_all.segment(at, cnn_dim) = b;
    }
    p->w1[i] = as_matrix("w1_" + n, width, cnn_dim);
    p->b1[i] = as_row("b1_" + n, cnn_dim);
    p->w2[i] = as_matrix("w2_" + n, width, cnn_dim);
    p->b2[i] = as_row("b2_" + n, cnn_dim);
  }
  p->ln_g = as_row("ln_g", feat_dim);
  p->ln_b = as_row("ln_b", feat_dim);
  p->cnn_w = as_matrix("cnn_W", feat_dim, emb_dim);
  p->cnn_b = as_row("cnn_b", emb_dim);
  p->d0 = as_matrix("d0", emb_dim, 320);
  p->d1 = as_matrix("d1", 320, 320);
  p->p1 = as_matrix("p1", emb_dim, 320);
  p->d2 = as_matrix("d2", 320, emb_dim);
  p->p3 = as_matrix("p3", 320, emb_dim);
  p->d3 = as_matrix("d3", emb_dim, emb_dim);
  if (tensor e = get("eps", 1, 1); e.data) p->eps = e.f32()[0];
  if (!error.empty()) return unexpected(std::move(error));

  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "use-m3:%zu", p->file->bytes());
  p->id = prefix;
  return std::shared_ptr<const use_encoder>(new use_encoder(std::move(p)));
}

void use_encoder::tokenize(std::string_view text, std::vector<int>& ids) const {
  ids.clear();
  impl_->pieces.Encode(text, &ids).IgnoreError();
  if (ids.size() > max_tokens - 2) ids.resize(max_tokens - 2);
  ids.insert(ids.begin(), impl_->pieces.bos_id());
  ids.push_back(impl_->pieces.eos_id());
}

void use_encoder::encode(std::string_view text, std::span<float> out) const {
  thread_local std::vector<int> ids;
  tokenize(text, ids);
  impl_->forward(ids, out);
}

void use_encoder::encode_ids(const std::vector<int>& ids, std::span<float> out) const {
  impl_->forward(ids, out);
}

void use_encoder::impl::forward(const std::vector<int>& ids, std::span<float> out) const {
  thread_local scratch s;
  const auto n = static_cast<Eigen::Index>(ids.size());
  std::fill(out.begin(), out.end(), 0.0f);
  if (n == 0) return;
  s.feats.resize(n, feat_dim);
  for (Eigen::Index t = 0; t < n; ++t) {
    const auto piece = static_cast<std::size_t>(ids[static_cast<std::size_t>(t)]);
    const uint8_t* q = table.u8() + piece * emb_dim;
    const float a = scale[piece % chunks], b = lo[piece % chunks];
    float* row = s.feats.row(t).data();
    for (std::size_t j = 0; j < emb_dim; ++j) row[j] = static_cast<float>(q[j]) * a + b;
  }
  s.x.noalias() = s.feats.leftCols(emb_dim) * proj_w;
  s.x.rowwise() += proj_b;
  layernorm_rows(s.x, ln_g_all, ln_b_all, eps);

  for (std::size_t i = 0; i < 3; ++i) {
    s.xs = s.x.middleCols(static_cast<Eigen::Index>(i * cnn_dim), cnn_dim);
    windows(s.xs, orders[i].n, orders[i].left, s.cols);
    s.h.noalias() = s.cols * w1[i];
    s.h.rowwise() += b1[i];
    s.h = s.h.cwiseMax(0.0f) + s.xs;
    windows(s.h, orders[i].n, orders[i].left, s.cols);
    s.c2.noalias() = s.cols * w2[i];
    s.c2.rowwise() += b2[i];
    s.feats.middleCols(static_cast<Eigen::Index>(emb_dim + i * cnn_dim), cnn_dim) =
        s.c2.cwiseMax(0.0f) + s.h;
  }
  layernorm_rows(s.feats, ln_g, ln_b, eps);

  const float tokens = static_cast<float>(n);
  row_vector mean = s.feats.colwise().sum() * cnn_w + tokens * cnn_b;
  mean /= std::sqrt(tokens);
  row_vector y0 = (mean * d0).cwiseMax(0.0f);
  row_vector y1 = (mean * p1 + y0 * d1).cwiseMax(0.0f);
  row_vector y2 = (y1 * d2).cwiseMax(0.0f);
  row_vector z = (y1 * p3 + y2 * d3).array().tanh();
  const float norm = std::sqrt(std::max(z.squaredNorm(), eps));
  for (std::size_t j = 0; j < emb_dim && j < out.size(); ++j)
    out[j] = z[static_cast<Eigen::Index>(j)] / norm;
}

}  // namespace civic::classify::model
