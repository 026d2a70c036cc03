#pragma once
// Classification of one citizen message: which divisions own it (primary first,
// at most two, "triage" when nothing fits), what kind of message it is, how
// urgent, and in which Seoul gu. Every decision is explained by the rules that
// matched, so a wrong route is fixed by editing the rules file, not the code.
//
// A classifier is immutable once loaded: share it between threads through a
// std::shared_ptr<const classifier> and swap the pointer to reload rules.

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/error/expected.hpp"

namespace civic::classify {
namespace model {
class semantic_model;
}

// What the classifier reads, independent of where the message came from (an
// envelope v1 on feedback.unique, a corpus line in `router classify`).
struct input {
  std::string_view text{};
  std::optional<std::string_view> address{};
  std::optional<double> lat{};  // lat and lon are both set or both unset
  std::optional<double> lon{};
  std::string_view channel{};
  // The district the channel or the citizen stated (location.district), in any
  // spelling the rules' districts.places know ("마포구", "mapo", "Mapo-gu"). It
  // wins over coordinates and text; one the rules do not know is kept as given.
  std::optional<std::string_view> district{};
  // The text's sentence embedding when an earlier stage computed it with the
  // same encoder (dedup carries it to the router); empty: computed here.
  std::span<const float> embedding{};
};

enum class urgency { normal, high };
std::string_view to_string(urgency u);

// One rule that fired, with the terms of the message that made it fire.
struct rule_match {
  std::string rule_id;  // "water.leak", "kind.question.ask", "urgency.gas", "district.Jongno-gu"
  std::string target;   // the division, kind, urgency level or district the rule votes for
  double weight = 0;
  std::vector<std::string> terms;  // as written in the rules file
};

struct classification {
  std::vector<std::string> divisions;  // 1 or 2 ids, primary first; {"triage"} when none fits
  envelope::feedback_kind kind = envelope::feedback_kind::complaint;
  urgency level = urgency::normal;
  std::optional<std::string> district;  // romanized gu id ("Jongno-gu"); nullopt when unknown
  std::vector<rule_match> matched;  // division rules first (by score), then kind, urgency, district
  // The term matcher failed on the text (RE2 out of its memory budget): the
  // text's words were not considered, so the message goes to triage (a person
  // reads it rather than a guess routing it) and `matched` starts with the rule
  // id text_not_matched_rule so that triage sees why. Callers count and log it.
  bool text_unmatched = false;
  // With the sentence model: the embedding the model saw (for dedup and to carry
  // on), and its division probabilities, highest first (those >= 0.05, at most 3).
  std::vector<float> embedding;
  std::vector<std::pair<std::string, double>> model_divisions;
  // The nearest labelled examples (at most 3): id, its primary division, cosine similarity.
  struct example_match {
    std::string id, division;
    double similarity = 0;
  };
  std::vector<example_match> model_examples;

  const std::string& primary_division() const { return divisions.front(); }
};

inline constexpr std::string_view triage_division = "triage";
inline constexpr std::string_view text_not_matched_rule = "classifier.text_not_matched";
// `matched` entries of the sentence model: target = a division or kind, weight = its probability.
inline constexpr std::string_view model_division_rule = "model.division";
inline constexpr std::string_view model_kind_rule = "model.kind";
// target = the example's primary division, weight = its cosine similarity, terms = {its id}.
inline constexpr std::string_view model_example_rule = "model.example";
inline constexpr std::string_view default_rules_path = "deploy/config/rules/seoul.yaml";

class classifier {
 public:
  // Reads and validates a rules file (and the district boundaries it names,
  // relative to the rules file). Errors name the file and line of the problem.
  // With a sentence model the decision combines its probabilities with the
  // rules' scores (model/combination.hpp); without one, the rules decide alone.
  static expected<std::shared_ptr<const classifier>, std::string> load(
      const std::filesystem::path& rules_file,
      std::shared_ptr<const model::semantic_model> model = nullptr);

  // Never fails: a message nothing matches goes to triage.
  classification classify(const input& in) const;

  // The rules' scores alone (what the model is combined with): per division of
  // divisions(), and per kind (complaint, idea, praise, question). For training.
  struct rule_scores {
    std::vector<double> divisions;
    std::vector<double> kinds;
  };
  rule_scores score_rules(const input& in) const;

  // Every division the rules define (without triage), in file order.
  const std::vector<std::string>& divisions() const;
  // The "version" string of the rules file, for logs.
  const std::string& rules_version() const;
  // nullptr: rules only.
  const std::shared_ptr<const model::semantic_model>& model() const;

  classifier(const classifier&) = delete;
  classifier& operator=(const classifier&) = delete;
  ~classifier();

  struct impl;

 private:
  explicit classifier(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::classify
