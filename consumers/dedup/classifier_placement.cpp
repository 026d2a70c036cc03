#include "consumers/dedup/classifier_placement.hpp"

#include "consumers/classify/classifier.hpp"

namespace civic::dedup {

expected<placement_function, std::string> load_classifier_placement(
    const std::filesystem::path& rules_file) {
  auto loaded = classify::classifier::load(rules_file);
  if (!loaded) return unexpected(std::move(loaded).error());
  std::shared_ptr<const classify::classifier> rules = std::move(*loaded);
  return placement_function([rules](const placement_input& in) {
    classify::input q;
    q.text = in.text;
    q.address = in.address;
    if (in.point) {
      q.lat = in.point->lat;
      q.lon = in.point->lon;
    }
    q.channel = in.channel;
    classify::classification result = rules->classify(q);
    placement p{result.divisions, result.district};
    if (p.divisions.empty()) p.divisions.emplace_back(classify::triage_division);
    return p;
  });
}

}  // namespace civic::dedup
