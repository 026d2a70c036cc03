#pragma once
// The sentence model beside the rules: the multilingual encoder, two linear
// heads (divisions, kinds) and the nearest labelled examples (divisions and kinds),
// trained from labelled messages (data/triage, `router train-model`). Immutable once loaded; share
// it between threads and between rules reloads through std::shared_ptr<const semantic_model>.

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"
#include "consumers/classify/model/combination.hpp"
#include "consumers/classify/model/linear_head.hpp"
#include "consumers/classify/model/nearest_examples.hpp"
#include "consumers/classify/model/use_encoder.hpp"

namespace civic::classify::model {

// What the model says about one text.
struct model_view {
  std::vector<float> embedding;       // as the heads saw it (int8-rounded, see embedding_codec)
  std::vector<float> division_probs;  // per division_classes(): head and examples mixed
  std::vector<neighbour> nearest;     // the nearest labelled examples, most similar first
  std::vector<float> kind_probs;      // per kind_classes()
};

// Where script/bootstrap puts the encoder: $CIVIC_CACHE_DIR/models/use-m3, by
// default ~/.cache/civic-gateway/models/use-m3 (use-m3.civicmodel, sp.model).
std::filesystem::path default_encoder_dir();
inline constexpr std::string_view default_head_path = "deploy/config/model/seoul-triage.head";
inline constexpr std::string_view encoder_weights_file = "use-m3.civicmodel";
inline constexpr std::string_view encoder_pieces_file = "sp.model";

struct head_meta {
  std::string encoder_id;  // the encoder the heads were trained with
  std::string data;        // what they were trained on (file: lines: FNV-1a hash, ...)
  combination mix;         // chosen when training (cross-validation)
};

class semantic_model {
 public:
  // encoder_dir empty: default_encoder_dir(). Refused when the head was trained
  // with another encoder than the one found.
  static expected<std::shared_ptr<const semantic_model>, std::string> load(
      const std::filesystem::path& head_file, const std::filesystem::path& encoder_dir = {});
  static expected<std::shared_ptr<const semantic_model>, std::string> from_parts(
      std::shared_ptr<const use_encoder> encoder, linear_head divisions, linear_head kinds,
      nearest_examples examples, head_meta meta);

  // `embedding`: a vector computed earlier for this text by the same encoder
  // (carried in a record header); empty: encode the text now.
  model_view analyse(std::string_view text, std::span<const float> embedding = {}) const;

  const std::vector<std::string>& division_classes() const { return divisions_.classes; }
  const std::vector<std::string>& kind_classes() const { return kinds_.classes; }
  const nearest_examples& examples() const { return examples_; }
  const use_encoder& encoder() const { return *encoder_; }
  const std::string& encoder_id() const { return encoder_->id(); }
  const head_meta& meta() const { return meta_; }

  expected<std::size_t, std::string> write_heads(const std::filesystem::path& file) const;

 private:
  semantic_model() = default;
  std::shared_ptr<const use_encoder> encoder_;
  linear_head divisions_, kinds_;
  nearest_examples examples_;
  head_meta meta_;
};

}  // namespace civic::classify::model
