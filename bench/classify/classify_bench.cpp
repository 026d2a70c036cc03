// Classifications per second with the full default rules
// (deploy/config/rules/seoul.yaml): all division, kind, urgency and district
// terms in one RE2::Set pass, scoring, and the district from coordinates
// (point in polygon over the 25 gu) or from names. Also the cost of loading the
// rules (what a hot reload costs). Messages: the dev corpus when present
// (../shared/corpus/dev.jsonl), else built-in sentences.
//
// With the sentence model (deploy/config/model/seoul-triage.head and the
// encoder script/bootstrap fetched): classifications per second when the
// router computes the embedding itself and when dedup carried it (the
// pipeline's path), the model's load time and resident memory.
//
// usage: classify_bench [--rules=FILE] [--corpus=FILE] [--model=HEADS|--no-model]
//                       [google benchmark flags]

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/model/semantic_model.hpp"

namespace {

using civic::classify::classifier;

struct message {
  std::string text;
  std::string address;
  bool has_point = false;
  double lat = 0, lon = 0;
};

std::string rules_file = std::string(CIVIC_SOURCE_DIR) + "/deploy/config/rules/seoul.yaml";
std::string corpus_file = std::string(CIVIC_SOURCE_DIR) + "/../shared/corpus/dev.jsonl";
std::vector<message> messages;
std::size_t total_bytes = 0;
std::shared_ptr<const classifier> rules;
std::string model_file = std::string(CIVIC_SOURCE_DIR) + "/deploy/config/model/seoul-triage.head";
std::shared_ptr<const classifier> with_model;
std::vector<std::vector<float>> carried;  // per message, as dedup would carry it

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::vector<message> built_in() {
  return {
      {"우리 동네 가로등이 일주일째 꺼져 있어서 밤길이 너무 어두워요", "서울 마포구 망원동", true,
       37.556, 126.905},
      {"The recycling bins on my street have not been emptied for two weeks", "", false, 0, 0},
      {"어린이집 입소 대기 신청은 어디서 하나요?", "", false, 0, 0},
      {"지하차도가 침수돼서 차량 통제 중이에요. 배수구가 다 막혔습니다", "", true, 37.4765,
       126.9816},
      {"Strong gas smell near the subway exit, please send someone", "Jongno-gu", true, 37.5704,
       126.9920},
      {"집주인이 전세 보증금을 돌려주지 않아요. 전세사기 같은데 어디에 신고하나요", "강서구 화곡동",
       false, 0, 0},
  };
}

std::vector<message> read_corpus(const std::string& path) {
  std::vector<message> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line);
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("text") || !d["text"].IsString())
      continue;
    message m;
    m.text = d["text"].GetString();
    if (d.HasMember("address") && d["address"].IsString()) m.address = d["address"].GetString();
    if (d.HasMember("lat") && d["lat"].IsNumber() && d.HasMember("lon") && d["lon"].IsNumber()) {
      m.has_point = true;
      m.lat = d["lat"].GetDouble();
      m.lon = d["lon"].GetDouble();
    }
    out.push_back(std::move(m));
  }
  return out;
}

civic::classify::input as_input(const message& m, bool with_place) {
  civic::classify::input in{.text = m.text};
  if (with_place && !m.address.empty()) in.address = m.address;
  if (with_place && m.has_point) {
    in.lat = m.lat;
    in.lon = m.lon;
  }
  return in;
}

void count(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(messages.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes));
}

// Everything the router does per message: text, address and coordinates.
void classify_full(benchmark::State& state) {
  for (auto _ : state)
    for (const auto& m : messages) benchmark::DoNotOptimize(rules->classify(as_input(m, true)));
  count(state);
}
BENCHMARK(classify_full);

// Text only: the one-pass matcher and scoring without district geometry.
void classify_text_only(benchmark::State& state) {
  for (auto _ : state)
    for (const auto& m : messages) benchmark::DoNotOptimize(rules->classify(as_input(m, false)));
  count(state);
}
BENCHMARK(classify_text_only);

// With the model, the router computing the embedding itself (what dedup does
// once per message in the pipeline).
void classify_model_encoding(benchmark::State& state) {
  if (!with_model) return state.SkipWithError("no sentence model (--model)");
  for (auto _ : state)
    for (const auto& m : messages)
      benchmark::DoNotOptimize(with_model->classify(as_input(m, true)));
  count(state);
}
BENCHMARK(classify_model_encoding)->Unit(benchmark::kMillisecond);

// With the model and the embedding dedup carried (the router's path).
void classify_model_carried(benchmark::State& state) {
  if (!with_model) return state.SkipWithError("no sentence model (--model)");
  for (auto _ : state)
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto in = as_input(messages[i], true);
      in.embedding = carried[i];
      benchmark::DoNotOptimize(with_model->classify(in));
    }
  count(state);
}
BENCHMARK(classify_model_carried);

// A rules (re)load: YAML, validation, RE2::Set compilation, boundaries.
void load_rules(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = classifier::load(rules_file);
    if (!loaded) state.SkipWithError("rules refused");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(load_rules)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rules=", 8) == 0)
      rules_file = argv[i] + 8;
    else if (std::strncmp(argv[i], "--corpus=", 9) == 0)
      corpus_file = argv[i] + 9;
    else if (std::strncmp(argv[i], "--model=", 8) == 0)
      model_file = argv[i] + 8;
    else if (std::strcmp(argv[i], "--no-model") == 0)
      model_file.clear();
    else
      rest.push_back(argv[i]);
  }
  auto loaded = classifier::load(rules_file);
  if (!loaded) {
    std::fprintf(stderr, "classify_bench: %s\n", loaded.error().c_str());
    return 2;
  }
  rules = *loaded;
  messages = read_corpus(corpus_file);
  const bool from_corpus = !messages.empty();
  if (!from_corpus) messages = built_in();
  for (const auto& m : messages) total_bytes += m.text.size() + m.address.size();
  std::printf("classify_bench: rules %s (version %s), %zu messages from %s, %zu bytes\n",
              rules_file.c_str(), rules->rules_version().c_str(), messages.size(),
              from_corpus ? corpus_file.c_str() : "built-in sentences", total_bytes);
  if (!model_file.empty()) {
    const auto rss_before = resident_bytes();
    const auto start = std::chrono::steady_clock::now();
    auto model = civic::classify::model::semantic_model::load(model_file);
    if (!model) {
      std::fprintf(stderr, "classify_bench: sentence model: %s\n", model.error().c_str());
      return 2;
    }
    auto c = classifier::load(rules_file, *model);
    if (!c) return 2;
    // Touch every page a classification touches: the resident figure after a first pass.
    for (const auto& m : messages)
      carried.push_back(c.value()->classify(as_input(m, true)).embedding);
    const double load_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    with_model = *c;
    std::printf(
        "classify_bench: sentence model %s: load and first pass over the messages %.2f s, "
        "resident memory +%.1f MiB (the encoder file is %.1f MiB, mapped)\n",
        model_file.c_str(), load_s, static_cast<double>(resident_bytes() - rss_before) / 1048576.0,
        static_cast<double>(
            std::filesystem::file_size(civic::classify::model::default_encoder_dir() /
                                       civic::classify::model::encoder_weights_file)) /
            1048576.0);
    const auto t0 = std::chrono::steady_clock::now();
    auto again = civic::classify::model::semantic_model::load(model_file);
    std::printf(
        "classify_bench: model load alone (heads, encoder map, SentencePiece): %.0f ms\n",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
