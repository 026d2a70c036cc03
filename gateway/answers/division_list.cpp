#include "gateway/answers/division_list.hpp"

#include <algorithm>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/rules_loader.hpp"

namespace civic::gateway::answers {

division_list::division_list(std::vector<std::string> ids) : ids_(std::move(ids)) {}

expected<division_list, std::string> division_list::from_rules_file(
    const std::filesystem::path& file) {
  auto rules = classify::load_rules_file(file);
  if (!rules) return unexpected(std::move(rules).error());
  std::vector<std::string> ids = rules->division_ids;
  ids.emplace_back(classify::triage_division);
  return division_list(std::move(ids));
}

bool division_list::contains(std::string_view id) const {
  return std::find(ids_.begin(), ids_.end(), id) != ids_.end();
}

std::string division_list::joined() const {
  std::string out;
  for (const auto& id : ids_) {
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out;
}

}  // namespace civic::gateway::answers
