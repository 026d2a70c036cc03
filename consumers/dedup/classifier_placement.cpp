#include "consumers/dedup/classifier_placement.hpp"

#include <algorithm>
#include <map>

#include "consumers/classify/classifier.hpp"

namespace civic::dedup {

namespace {

// The classifier's divisions, then every other division whose rules scored at
// least `share` of the top division's score, strongest first.
std::vector<std::string> related_divisions(const classify::classifier& rules,
                                           const classify::classification& result, double share) {
  const auto& known = rules.divisions();
  std::map<std::string, double> score;
  for (const auto& m : result.matched) {
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
  return out;
}

}  // namespace

expected<placement_function, std::string> load_classifier_placement(
    const std::filesystem::path& rules_file, double related_share) {
  auto loaded = classify::classifier::load(rules_file);
  if (!loaded) return unexpected(std::move(loaded).error());
  std::shared_ptr<const classify::classifier> rules = std::move(*loaded);
  return placement_function([rules, related_share](const placement_input& in) {
    classify::input q;
    q.text = in.text;
    q.address = in.address;
    if (in.point) {
      q.lat = in.point->lat;
      q.lon = in.point->lon;
    }
    q.channel = in.channel;
    classify::classification result = rules->classify(q);
    placement p{result.divisions, related_divisions(*rules, result, related_share), result.district,
                std::string(envelope::to_string(result.kind)),
                std::string(classify::to_string(result.level))};
    if (p.divisions.empty()) p.divisions.emplace_back(classify::triage_division);
    return p;
  });
}

}  // namespace civic::dedup
