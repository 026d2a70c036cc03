#include "consumers/classify/model/semantic_model.hpp"

#include <cstdlib>
#include <sstream>

#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/classify/model/model_file.hpp"

namespace civic::classify::model {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

expected<linear_head, std::string> read_head(const model_file& f, const std::string& prefix,
                                             std::vector<std::string> classes) {
  linear_head h;
  h.classes = std::move(classes);
  const auto k = h.classes.size();
  auto mean = f.get(prefix + ".mean", dtype::f32, 0, 1);
  if (!mean) return unexpected(std::move(mean).error());
  h.dims = mean->rows;
  auto dense = f.get(prefix + ".dense", dtype::f32, k, h.dims);
  auto sparse = f.get(prefix + ".sparse", dtype::f32, k, piece_feature_dims);
  auto bias = f.get(prefix + ".bias", dtype::f32, k, 1);
  auto scales = f.get(prefix + ".scales", dtype::f32, 2, 1);
  for (auto* t : {&dense, &sparse, &bias, &scales})
    if (!*t) return unexpected(std::move(*t).error());
  h.mean.assign(mean->f32(), mean->f32() + h.dims);
  h.dense_w.assign(dense->f32(), dense->f32() + dense->size());
  h.sparse_w.assign(sparse->f32(), sparse->f32() + sparse->size());
  h.bias.assign(bias->f32(), bias->f32() + k);
  h.dense_scale = scales->f32()[0];
  h.sparse_scale = scales->f32()[1];
  return h;
}

void add_head(std::vector<tensor_to_write>& out, const std::string& prefix, const linear_head& h,
              const float* scales) {
  out.push_back({prefix + ".mean", dtype::f32, h.dims, 1, h.mean.data()});
  out.push_back({prefix + ".dense", dtype::f32, h.classes.size(), h.dims, h.dense_w.data()});
  out.push_back(
      {prefix + ".sparse", dtype::f32, h.classes.size(), piece_feature_dims, h.sparse_w.data()});
  out.push_back({prefix + ".bias", dtype::f32, h.classes.size(), 1, h.bias.data()});
  out.push_back({prefix + ".scales", dtype::f32, 2, 1, scales});
}

expected<nearest_examples, std::string> read_examples(const model_file& f, std::size_t classes,
                                                      std::size_t kind_classes, std::size_t dims) {
  nearest_examples e;
  e.classes = classes;
  e.kind_classes = kind_classes;
  e.dims = dims;
  if (!f.has("near.ids")) return e;  // heads trained before the examples were kept
  auto vectors = f.get("near.vectors", dtype::u8, 0, 4 + dims);
  if (!vectors) return unexpected(std::move(vectors).error());
  auto targets = f.get("near.targets", dtype::f32, vectors->rows, 4);
  auto ids = f.get("near.ids", dtype::u8, 0, 1);
  for (auto* t : {&targets, &ids})
    if (!*t) return unexpected(std::move(*t).error());
  // Each example's kind, one byte (255: none); heads trained before it have none.
  const uint8_t* kinds = nullptr;
  if (f.has("near.kinds")) {
    auto k = f.get("near.kinds", dtype::u8, vectors->rows, 1);
    if (!k) return unexpected(std::move(k).error());
    kinds = k->u8();
  }
  const auto names =
      split(std::string_view(reinterpret_cast<const char*>(ids->u8()), ids->rows), '\n');
  if (names.size() != vectors->rows)
    return unexpected(std::string("near.ids: ") + std::to_string(names.size()) + " ids for " +
                      std::to_string(vectors->rows) + " examples");
  for (std::size_t i = 0; i < vectors->rows; ++i) {
    const auto* row = reinterpret_cast<const char*>(vectors->u8() + i * (4 + dims));
    auto v = decode_embedding(std::string_view(row, 4 + dims), dims);
    if (!v) return unexpected("near.vectors: example " + std::to_string(i) + " is not a vector");
    const float* t = targets->f32() + i * 4;
    std::vector<std::pair<std::size_t, float>> target;
    for (int j = 0; j < 2; ++j)
      if (t[2 * j + 1] > 0) {
        const auto cls = static_cast<std::size_t>(t[2 * j]);
        if (cls >= classes) return unexpected(std::string("near.targets: a class out of range"));
        target.emplace_back(cls, t[2 * j + 1]);
      }
    uint32_t kind = nearest_examples::no_kind;
    if (kinds && kinds[i] != 255) {
      if (kinds[i] >= kind_classes)
        return unexpected(std::string("near.kinds: a kind out of range"));
      kind = kinds[i];
    }
    e.add(names[i], *v, target, kind);
  }
  return e;
}

}  // namespace

std::filesystem::path default_encoder_dir() {
  if (const char* cache = std::getenv("CIVIC_CACHE_DIR"); cache && *cache)
    return std::filesystem::path(cache) / "models" / "use-m3";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : "/nonexistent") / ".cache" / "civic-gateway" /
         "models" / "use-m3";
}

expected<std::shared_ptr<const semantic_model>, std::string> semantic_model::load(
    const std::filesystem::path& head_file, const std::filesystem::path& encoder_dir) {
  const auto dir = encoder_dir.empty() ? default_encoder_dir() : encoder_dir;
  auto heads = model_file::open(head_file);
  if (!heads) return unexpected(std::move(heads).error());
  auto meta_t = (*heads)->get("meta", dtype::u8, 0, 1);
  if (!meta_t) return unexpected(std::move(meta_t).error());
  const std::string_view meta_text(reinterpret_cast<const char*>(meta_t->u8()), meta_t->rows);
  head_meta meta;
  std::vector<std::string> division_names, kind_names;
  std::size_t example_k = nearest_examples{}.k;
  float example_temperature = nearest_examples{}.temperature;
  for (const auto& line : split(meta_text, '\n')) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const auto key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "divisions") division_names = split(value, ',');
    if (key == "kinds") kind_names = split(value, ',');
    if (key == "encoder") meta.encoder_id = value;
    if (key == "data") meta.data = value;
    if (key == "rule_weight") meta.mix.rule_weight = std::strtod(value.c_str(), nullptr);
    if (key == "kind_rule_weight") meta.mix.kind_rule_weight = std::strtod(value.c_str(), nullptr);
    if (key == "rule_cap") meta.mix.rule_cap = std::strtod(value.c_str(), nullptr);
    if (key == "kind_rule_cap") meta.mix.kind_rule_cap = std::strtod(value.c_str(), nullptr);
    if (key == "example_weight") meta.mix.example_weight = std::strtod(value.c_str(), nullptr);
    if (key == "kind_example_weight")
      meta.mix.kind_example_weight = std::strtod(value.c_str(), nullptr);
    if (key == "example_k") example_k = std::strtoul(value.c_str(), nullptr, 10);
    if (key == "example_temperature") example_temperature = std::strtof(value.c_str(), nullptr);
  }
  auto divisions = read_head(**heads, "div", division_names);
  if (!divisions) return unexpected(std::move(divisions).error());
  auto kinds = read_head(**heads, "kind", kind_names);
  if (!kinds) return unexpected(std::move(kinds).error());
  auto examples = read_examples(**heads, division_names.size(), kind_names.size(), divisions->dims);
  if (!examples) return unexpected(head_file.string() + ": " + examples.error());
  if (example_k == 0 || !(example_temperature > 0))
    return unexpected(head_file.string() + ": example_k and example_temperature must be positive");
  examples->k = example_k;
  examples->temperature = example_temperature;

  auto encoder = use_encoder::load(dir / encoder_weights_file, dir / encoder_pieces_file);
  if (!encoder)
    return unexpected(encoder.error() + " (script/bootstrap fetches the encoder into " +
                      default_encoder_dir().string() + ")");
  if ((*encoder)->id() != meta.encoder_id)
    return unexpected(head_file.string() + ": trained with encoder " + meta.encoder_id + ", but " +
                      dir.string() + " holds " + (*encoder)->id() +
                      " (retrain: router train-model)");
  return from_parts(std::move(*encoder), std::move(*divisions), std::move(*kinds),
                    std::move(*examples), std::move(meta));
}

expected<std::shared_ptr<const semantic_model>, std::string> semantic_model::from_parts(
    std::shared_ptr<const use_encoder> encoder, linear_head divisions, linear_head kinds,
    nearest_examples examples, head_meta meta) {
  if (divisions.dims != encoder->dims() || kinds.dims != encoder->dims())
    return unexpected(std::string("the heads' dimensions do not match the encoder's"));
  if (divisions.classes.empty() || kinds.classes.empty())
    return unexpected(std::string("a head without classes"));
  std::shared_ptr<semantic_model> m(new semantic_model());
  m->encoder_ = std::move(encoder);
  m->divisions_ = std::move(divisions);
  m->kinds_ = std::move(kinds);
  m->examples_ = std::move(examples);
  m->meta_ = std::move(meta);
  return std::shared_ptr<const semantic_model>(std::move(m));
}

model_view semantic_model::analyse(std::string_view text, std::span<const float> embedding) const {
  model_view v;
  thread_local std::vector<int> ids;
  encoder_->tokenize(text, ids);
  if (embedding.size() == encoder_->dims()) {
    v.embedding.assign(embedding.begin(), embedding.end());
  } else {
    v.embedding.resize(encoder_->dims());
    encoder_->encode_ids(ids, v.embedding);
  }
  round_embedding(v.embedding);
  const std::span<const int> pieces = ids.size() >= 2
                                          ? std::span<const int>(ids).subspan(1, ids.size() - 2)
                                          : std::span<const int>();
  const auto features = piece_features(pieces);
  v.division_probs.resize(divisions_.classes.size());
  divisions_.probabilities(v.embedding, features, v.division_probs);
  const bool kind_vote = meta_.mix.kind_example_weight > 0 && !examples_.kinds.empty();
  thread_local std::vector<float> vote;
  if (examples_.size() > 0 && (meta_.mix.example_weight > 0 || kind_vote)) {
    vote.resize(v.division_probs.size());
    examples_.probabilities(v.embedding, vote, &v.nearest);
    const auto w = static_cast<float>(meta_.mix.example_weight);
    if (w > 0) blend(v.division_probs, vote, w);
  }
  v.kind_probs.resize(kinds_.classes.size());
  kinds_.probabilities(v.embedding, features, v.kind_probs);
  if (kind_vote && !v.nearest.empty()) {
    vote.resize(v.kind_probs.size());
    examples_.kind_probabilities(v.nearest, vote);
    blend(v.kind_probs, vote, static_cast<float>(meta_.mix.kind_example_weight));
  }
  return v;
}

expected<std::size_t, std::string> semantic_model::write_heads(
    const std::filesystem::path& file) const {
  std::ostringstream meta;
  meta << "divisions=" << join(divisions_.classes) << "\nkinds=" << join(kinds_.classes)
       << "\nencoder=" << encoder_->id() << "\ndata=" << meta_.data
       << "\nrule_weight=" << meta_.mix.rule_weight
       << "\nkind_rule_weight=" << meta_.mix.kind_rule_weight << "\nrule_cap=" << meta_.mix.rule_cap
       << "\nkind_rule_cap=" << meta_.mix.kind_rule_cap
       << "\nexample_weight=" << meta_.mix.example_weight
       << "\nkind_example_weight=" << meta_.mix.kind_example_weight << "\nexample_k=" << examples_.k
       << "\nexample_temperature=" << examples_.temperature << "\n";
  const std::string meta_text = meta.str();
  const float div_scales[2] = {divisions_.dense_scale, divisions_.sparse_scale};
  const float kind_scales[2] = {kinds_.dense_scale, kinds_.sparse_scale};
  std::vector<tensor_to_write> tensors;
  tensors.push_back({"meta", dtype::u8, meta_text.size(), 1, meta_text.data()});
  add_head(tensors, "div", divisions_, div_scales);
  add_head(tensors, "kind", kinds_, kind_scales);
  // The examples as the embedding codec packs them (8 bits a value), targets as
  // (class, weight) pairs, ids one a line.
  std::string vectors, ids, kinds;
  std::vector<float> targets;
  for (std::size_t i = 0; i < examples_.size(); ++i) {
    vectors += encode_embedding(examples_.vector(i));
    for (const auto& t : examples_.targets[i]) {
      targets.push_back(static_cast<float>(t.cls));
      targets.push_back(t.weight);
    }
    ids += (i ? "\n" : "") + examples_.ids[i];
    if (examples_.kinds.size() == examples_.size())
      kinds += static_cast<char>(examples_.kinds[i] < 255 ? examples_.kinds[i] : 255);
  }
  if (examples_.size() > 0) {
    tensors.push_back(
        {"near.vectors", dtype::u8, examples_.size(), 4 + examples_.dims, vectors.data()});
    tensors.push_back({"near.targets", dtype::f32, examples_.size(), 4, targets.data()});
    tensors.push_back({"near.ids", dtype::u8, ids.size(), 1, ids.data()});
    if (!kinds.empty()) tensors.push_back({"near.kinds", dtype::u8, kinds.size(), 1, kinds.data()});
  }
  return write_model_file(file, tensors);
}

}  // namespace civic::classify::model
