#include "consumers/router/train_model.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/json/writer.hpp"
#include "consumers/classify/classifier.hpp"
#include "consumers/classify/model/training.hpp"

namespace civic::router {

namespace {
constexpr std::string_view default_training_data = "data/triage/train.jsonl";
}

int run_train_model(std::span<const std::string_view> args) {
  std::string rules(classify::default_rules_path);
  std::string out(classify::model::default_head_path);
  std::string dir, errors;
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
                   "[--errors FILE] [DATA.jsonl ...]\n"
                   "Trains the division and kind heads of the sentence model on labelled "
                   "messages (default "
                << default_training_data
                << "), chooses how much the rules weigh by 5-fold cross-validation, and writes "
                   "the heads (default "
                << classify::model::default_head_path
                << "). --errors writes the messages whose cross-validated primary division was "
                   "wrong, and those whose kind was, one JSON object a line (of: division or kind, "
                   "id, text, labelled, given).\n";
      return 0;
    }
    if (value("--rules", rules) || value("--out", out) || value("--model-dir", dir) ||
        value("--errors", errors))
      continue;
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
  if (!errors.empty()) {
    std::ofstream e(errors);
    for (const auto& m : report.misses) {
      json::writer w;
      w.StartObject();
      w.member("of", m.of);
      w.member("id", m.id);
      w.member("text", m.text);
      w.member("labelled", m.labelled);
      w.member("given", m.given);
      w.EndObject();
      e << w.str() << '\n';
    }
    if (!e) {
      std::cerr << "router train-model: " << errors << ": cannot be written\n";
      return 1;
    }
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
  std::printf("\n  nearest examples' share of the kind vote -> best accuracy:");
  for (const auto& [share, accuracy] : report.kind_example_weights)
    std::printf(" %.1f:%.3f", share, accuracy);
  std::printf(
      "\n  per primary division, out of fold with the chosen combination (noisy copies "
      "included): right / messages, then what the others were most often taken for");
  for (std::size_t d = 0; d < report.division_classes.size(); ++d) {
    const auto& row = report.division_confusion[d];
    std::size_t total = 0;
    std::vector<std::size_t> others;
    for (std::size_t j = 0; j < row.size(); ++j) {
      total += row[j];
      if (j != d && row[j] > 0) others.push_back(j);
    }
    std::stable_sort(others.begin(), others.end(),
                     [&](std::size_t a, std::size_t b) { return row[a] > row[b]; });
    std::printf("\n    %-12s %.3f (%zu/%zu)", report.division_classes[d].c_str(),
                total ? static_cast<double>(row[d]) / static_cast<double>(total) : 0.0, row[d],
                total);
    for (std::size_t j = 0; j < others.size() && j < 3; ++j)
      std::printf(" %s:%zu", report.division_classes[others[j]].c_str(), row[others[j]]);
  }
  std::printf("\n  per kind, likewise:");
  for (std::size_t k = 0; k < report.kind_classes.size(); ++k) {
    const auto& row = report.kind_confusion[k];
    std::size_t total = 0;
    for (auto v : row) total += v;
    std::printf("\n    %-12s %.3f (%zu/%zu)", report.kind_classes[k].c_str(),
                total ? static_cast<double>(row[k]) / static_cast<double>(total) : 0.0, row[k],
                total);
    for (std::size_t j = 0; j < row.size(); ++j)
      if (j != k && row[j] > 0) std::printf(" %s:%zu", report.kind_classes[j].c_str(), row[j]);
  }
  std::printf("\n  rule weight (cap 4) -> accuracy:");
  for (const auto& t : report.division_weights)
    if (t.cap == 4.0) std::printf(" %.1f:%.3f", t.weight, t.accuracy);
  for (double cap : {1.0, report.chosen_kind.cap}) {
    std::printf("\n  kind rule weight (cap %.0f) -> accuracy:", cap);
    for (const auto& t : report.kind_weights)
      if (t.cap == cap) std::printf(" %.1f:%.3f", t.weight, t.accuracy);
    if (cap == report.chosen_kind.cap) break;
  }
  double kind_grid_best = 0;
  for (const auto& t : report.kind_weights) kind_grid_best = std::max(kind_grid_best, t.accuracy);
  std::printf(
      "\nchosen: divisions: examples' share %.1f, rule weight %.1f, cap %.0f (cross-validated "
      "accuracy %.3f); kinds: "
      "examples' share %.1f, rule weight %.1f and cap %.0f held (%.3f; the grid's best %.3f)\n"
      "wrote %s (%zu bytes)\n",
      report.chosen_example_weight, report.chosen_division.weight, report.chosen_division.cap,
      report.chosen_division.accuracy, report.chosen_kind_example_weight, report.chosen_kind.weight,
      report.chosen_kind.cap, report.chosen_kind.accuracy, kind_grid_best, out.c_str(), *written);
  return 0;
}

}  // namespace civic::router
