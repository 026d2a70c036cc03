#include "consumers/router/train_model.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/model/training.hpp"

namespace civic::router {

namespace {
constexpr std::string_view default_training_data = "data/triage/train.jsonl";
}

int run_train_model(std::span<const std::string_view> args) {
  std::string rules(classify::default_rules_path);
  std::string out(classify::model::default_head_path);
  std::string dir;
  std::vector<std::filesystem::path> data;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    auto value = [&](std::string_view flag, std::string& into) {
      if (a == flag && i + 1 < args.size()) {
        into = std::string(args[++i]);
        return true;
      }
      if (a.starts_with(std::string(flag) + "=")) {
        into = std::string(a.substr(flag.size() + 1));
        return true;
      }
      return false;
    };
    if (a == "--help" || a == "-h") {
      std::cout << "usage: router train-model [--rules FILE] [--model-dir DIR] [--out FILE] "
                   "[DATA.jsonl ...]\n"
                   "Trains the division and kind heads of the sentence model on labelled "
                   "messages (default "
                << default_training_data
                << "), chooses how much the rules weigh by 5-fold cross-validation, and writes "
                   "the heads (default "
                << classify::model::default_head_path << ").\n";
      return 0;
    }
    if (value("--rules", rules) || value("--out", out) || value("--model-dir", dir)) continue;
    if (a.starts_with("--")) {
      std::cerr << "router train-model: unknown argument '" << a << "' (try --help)\n";
      return 2;
    }
    data.emplace_back(a);
  }
  if (data.empty()) data.emplace_back(default_training_data);

  auto c = classify::classifier::load(rules);
  if (!c) {
    std::cerr << "router train-model: rules refused: " << c.error() << '\n';
    return 2;
  }
  const auto encoder_dir =
      dir.empty() ? classify::model::default_encoder_dir() : std::filesystem::path(dir);
  auto encoder =
      classify::model::use_encoder::load(encoder_dir / classify::model::encoder_weights_file,
                                         encoder_dir / classify::model::encoder_pieces_file);
  if (!encoder) {
    std::cerr << "router train-model: " << encoder.error() << " (run script/bootstrap)\n";
    return 2;
  }
  std::vector<std::string> classes = (*c)->divisions();
  classes.emplace_back(classify::triage_division);
  const auto& rules_classifier = **c;
  classify::model::rule_scorer scorer = [&rules_classifier](const std::string& text) {
    auto s = rules_classifier.score_rules({.text = text});
    return std::make_pair(std::move(s.divisions), std::move(s.kinds));
  };
  classify::model::training_report report;
  auto model = classify::model::train_model(*encoder, classes, scorer, data, report);
  if (!model) {
    std::cerr << "router train-model: " << model.error() << '\n';
    return 1;
  }
  auto written = (*model)->write_heads(out);
  if (!written) {
    std::cerr << "router train-model: " << written.error() << '\n';
    return 1;
  }
  std::printf("trained on %zu messages (%s): embeddings %.1f s, heads %.1f s\n", report.messages,
              (*model)->meta().data.c_str(), report.seconds_embedding, report.seconds_training);
  std::printf("5-fold cross-validation, primary division: rules alone %.3f, model alone %.3f\n",
              report.rules_only_accuracy, report.model_only_accuracy);
  std::printf("  nearest examples' share of the division vote -> best accuracy:");
  for (const auto& [share, accuracy] : report.example_weights)
    std::printf(" %.1f:%.3f", share, accuracy);
  std::printf("\n  rule weight (cap 4) -> accuracy:");
  for (const auto& t : report.division_weights)
    if (t.cap == 4.0) std::printf(" %.1f:%.3f", t.weight, t.accuracy);
  std::printf(
      "\nchosen: divisions: examples' share %.1f, rule weight %.1f, cap %.0f (cross-validated "
      "accuracy %.3f); kinds: "
      "rule weight %.1f, cap %.0f (%.3f)\nwrote %s (%zu bytes)\n",
      report.chosen_example_weight, report.chosen_division.weight, report.chosen_division.cap,
      report.chosen_division.accuracy, report.chosen_kind.weight, report.chosen_kind.cap,
      report.chosen_kind.accuracy, out.c_str(), *written);
  return 0;
}

}  // namespace civic::router
