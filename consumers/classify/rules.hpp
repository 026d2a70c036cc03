#pragma once
// The rules file as data: what consumers/classify/rules_loader reads from YAML
// and the matcher and scorer use. Plain structs, no behaviour.

#include <filesystem>
#include <string>
#include <vector>

namespace civic::classify {

// One rule: it fires when any of its terms occurs in the text and none of its
// "unless" terms does, and then adds its weight to its target once.
struct rule {
  std::string id;
  std::string target;  // division id, kind name, "high" or a district id
  double weight = 1.0;
  std::vector<std::string> terms;
  std::vector<std::string> unless;
  int line = 0;  // 1-based line in the rules file, for messages
};

struct rules_set {
  std::string version;
  std::filesystem::path source;

  // Scoring of divisions.
  double min_score = 1.0;              // below this, a division is not chosen
  double second_division_share = 0.5;  // a second division needs this share of the first's score
  double second_division_rule_weight = 0;  // ... and a fired rule at least this heavy

  std::vector<std::string> division_ids;  // file order; ties go to the earlier one
  std::vector<rule> division_rules;

  std::string default_kind = "complaint";
  std::vector<rule> kind_rules;

  std::string urgent_division = "safety";  // added to the divisions of an urgent message
  std::vector<rule> urgency_rules;         // target "high"

  std::filesystem::path
      boundaries;  // GeoJSON, resolved against the rules file's folder; empty: none
  double border_margin_m = 500;
  std::vector<rule> district_rules;  // target = gu id; terms = names and landmarks
};

}  // namespace civic::classify
