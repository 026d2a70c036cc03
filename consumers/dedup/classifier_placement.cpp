#include "consumers/dedup/classifier_placement.hpp"

#include <algorithm>
#include <map>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/model/semantic_model.hpp"

namespace civic::dedup {

namespace {

constexpr double model_related_probability = 0.15;

// The classifier's divisions, then every other division whose rules scored at
// least `share` of the top division's score, strongest first.
std::vector<std::string> related_divisions(const classify::classifier& rules,
                                           const classify::classification& result, double share) {
  const auto& known = rules.divisions();
  std::map<std::string, double> score;
  for (const auto& m : result.matched) {
    if (m.rule_id.starts_with("model.")) continue;
    if (std::find(known.begin(), known.end(), m.target) != known.end()) score[m.target] += m.weight;
  }
  std::vector<std::string> out = result.divisions;
  double top = 0;
  for (const auto& [division, s] : score) top = std::max(top, s);
  std::vector<std::pair<double, std::string>> others;
  for (const auto& [division, s] : score) {
    if (s >= share * top && std::find(out.begin(), out.end(), division) == out.end()) {
      others.emplace_back(-s, division);
    }
  }
  std::sort(others.begin(), others.end());
  for (auto& [s, division] : others) out.push_back(std::move(division));
  // The model's next guesses count too: a paraphrase the rules do not read.
  for (const auto& [division, p] : result.model_divisions)
    if (p >= model_related_probability && division != classify::triage_division &&
        std::find(out.begin(), out.end(), division) == out.end())
      out.push_back(division);
  return out;
}

}  // namespace

expected<placement_function, std::string> load_classifier_placement(
    const std::filesystem::path& rules_file, double related_share,
    const std::filesystem::path& model, const std::filesystem::path& model_dir) {
  std::shared_ptr<const classify::model::semantic_model> semantic;
  if (!model.empty()) {
    auto m = classify::model::semantic_model::load(model, model_dir);
    if (!m) return unexpected("sentence model: " + m.error());
    semantic = std::move(*m);
  }
  auto loaded = classify::classifier::load(rules_file, semantic);
  if (!loaded) return unexpected(std::move(loaded).error());
  std::shared_ptr<const classify::classifier> rules = std::move(*loaded);
  placement_function place([rules, related_share](const placement_input& in) {
    classify::input q;
    q.text = in.text;
    q.address = in.address;
    if (in.point) {
      q.lat = in.point->lat;
      q.lon = in.point->lon;
    }
    q.channel = in.channel;
    q.district = in.district;
    q.embedding = in.embedding;
    classify::classification result = rules->classify(q);
    placement p{result.divisions,
                related_divisions(*rules, result, related_share),
                result.district,
                std::move(result.embedding),

                std::string(envelope::to_string(result.kind)),
                std::string(classify::to_string(result.level))};
    if (p.divisions.empty()) p.divisions.emplace_back(classify::triage_division);
    return p;
  });
  if (semantic) place.embedding_model = {semantic->encoder_id(), semantic->encoder().dims()};
  return place;
}

}  // namespace civic::dedup
