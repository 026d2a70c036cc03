#pragma once
// Trains the division and kind heads from labelled messages (JSON Lines with
// "text", "kind" and "divisions", primary first: ../shared/corpus/README.md's
// labels) over the encoder's embeddings. Deterministic: the same data and
// encoder give the same heads, so `router train-model` is reproducible.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error/expected.hpp"
#include "consumers/classify/model/semantic_model.hpp"

namespace civic::classify::model {

struct labelled_message {
  std::string id;  // "t0012"; a noisy copy of it is "t0012n" (same cross-validation fold)
  std::string text;
  std::string kind;
  std::vector<std::string> divisions;
};

// One labelled message a line; an error names the file and line.
expected<std::vector<labelled_message>, std::string> read_labelled(
    const std::filesystem::path& file);

// FNV-1a 64 of the file's bytes, as hex: what a head records of its data.
std::string content_hash(const std::filesystem::path& file);

struct combination_tried {
  double weight = 0, cap = 1, accuracy = 0;
};

struct training_report {
  std::size_t messages = 0;
  double seconds_embedding = 0, seconds_training = 0;
  // Cross-validation (5 folds) of the combination with the rules: out-of-fold
  // accuracy per rule weight tried; the best one is kept in the heads.
  std::vector<combination_tried> division_weights, kind_weights;
  combination_tried chosen_division, chosen_kind;
  // The share of the nearest examples' vote in the division probabilities,
  // chosen by the same cross-validation, and the best accuracy for each share tried.
  double chosen_example_weight = 0;
  std::vector<std::pair<double, double>> example_weights;
  // Likewise the share of the same neighbours' vote in the kind probabilities.
  double chosen_kind_example_weight = 0;
  std::vector<std::pair<double, double>> kind_example_weights;
  double model_only_accuracy = 0, rules_only_accuracy = 0;
  // Out of fold, with the chosen combination: [label][given] over
  // division_classes (primary; a second label given counts as right) and over
  // kind_classes.
  std::vector<std::string> division_classes, kind_classes;
  std::vector<std::vector<std::size_t>> division_confusion, kind_confusion;
  // The messages whose out-of-fold primary division or kind was wrong.
  struct miss {
    std::string of;  // "division" or "kind"
    std::string id, text, labelled, given;
  };
  std::vector<miss> misses;
};

// The rules' scores for a text: per division class, per kind class.
using rule_scorer =
    std::function<std::pair<std::vector<double>, std::vector<double>>(const std::string& text)>;

// divisions: the head's classes (the rules' divisions and triage), in order;
// rules: their scores in the same order (kinds: complaint, idea, praise, question).
expected<std::shared_ptr<const semantic_model>, std::string> train_model(
    std::shared_ptr<const use_encoder> encoder, const std::vector<std::string>& divisions,
    const rule_scorer& rules, const std::vector<std::filesystem::path>& data,
    training_report& report);

}  // namespace civic::classify::model
