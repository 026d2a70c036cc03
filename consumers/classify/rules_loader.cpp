#include "consumers/classify/rules_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "consumers/classify/text_fold.hpp"

namespace civic::classify {
namespace {

// yaml-cpp reports problems with exceptions; they stop at this file's boundary
// and become messages naming the line.
struct rules_error {
  std::string message;
};

class reader {
 public:
  explicit reader(std::string file_name) : file_(std::move(file_name)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                         const std::string& what) const {
    std::ostringstream out;
    out << file_;
    if (at.IsDefined() && at.Mark().line >= 0) out << ':' << (at.Mark().line + 1);
    out << ": " << path << ": " << what;
    throw rules_error{out.str()};
  }

  void expect_map(const YAML::Node& n, const std::string& path,
                  std::initializer_list<std::string_view> allowed) const {
    if (!n.IsMap()) fail(n, path, "expected a mapping (key: value lines)");
    for (const auto& kv : n) {
      const auto key = kv.first.as<std::string>();
      bool known = false;
      for (auto a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, path, "unknown key '" + key + "' (allowed: " + list + ")");
      }
    }
  }

  std::string text(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path, "expected text");
    return n.as<std::string>();
  }

  double number(const YAML::Node& n, const std::string& path, double min, double max) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) fail(n, path, "expected a number");
    if (v < min || v > max) {
      std::ostringstream range;
      range << "must be between " << min << " and " << max;
      fail(n, path, range.str());
    }
    return v;
  }

  std::vector<std::string> terms(const YAML::Node& n, const std::string& path,
                                 bool required) const {
    if (!n.IsSequence()) fail(n, path, "expected a list of terms, e.g. [누수, water leak]");
    if (required && n.size() == 0) fail(n, path, "needs at least one term");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const auto item_path = path + "[" + std::to_string(i) + "]";
      auto raw = text(n[i], item_path);
      auto folded = fold_for_matching(raw);
      if (!folded) fail(n[i], item_path, "is not valid UTF-8");
      auto problem = term_problem(*folded);
      if (!problem.empty()) fail(n[i], item_path, "'" + raw + "': " + problem);
      out.push_back(*folded);
    }
    return out;
  }

  rule read_rule(const YAML::Node& n, const std::string& path, std::string target,
                 bool has_kind_key) {
    if (has_kind_key)
      expect_map(n, path, {"id", "kind", "weight", "terms", "unless", "note"});
    else
      expect_map(n, path, {"id", "weight", "terms", "unless", "note"});
    rule r;
    r.line = n.Mark().line + 1;
    if (!n["id"]) fail(n, path, "missing 'id' (a short unique name such as water.leak)");
    r.id = text(n["id"], path + ".id");
    if (r.id.empty()) fail(n["id"], path + ".id", "must not be empty");
    if (!ids_.insert(r.id).second) fail(n["id"], path + ".id", "'" + r.id + "' is used twice");
    if (!n["terms"]) fail(n, path, "missing 'terms'");
    r.terms = terms(n["terms"], path + ".terms", true);
    if (n["unless"]) r.unless = terms(n["unless"], path + ".unless", false);
    if (n["weight"]) r.weight = number(n["weight"], path + ".weight", 0.1, 100);
    r.target = std::move(target);
    return r;
  }

 private:
  std::string file_;
  std::set<std::string> ids_;
};

constexpr std::string_view kinds[] = {"complaint", "idea", "praise", "question"};
bool is_kind(std::string_view k) {
  for (auto known : kinds)
    if (k == known) return true;
  return false;
}

void read_divisions(reader& rd, const YAML::Node& n, rules_set& out) {
  if (!n.IsMap() || n.size() == 0) rd.fail(n, "divisions", "expected a mapping of division ids");
  for (const auto& kv : n) {
    const auto id = kv.first.as<std::string>();
    const auto path = "divisions." + id;
    if (id == "triage")
      rd.fail(kv.first, path, "triage is what is left when no rule fires; it has no rules");
    for (char c : id)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        rd.fail(kv.first, path,
                "a division id is lower-case letters, digits, '-' or '_' (it names a topic)");
    rd.expect_map(kv.second, path, {"name", "description", "rules"});
    const auto rules = kv.second["rules"];
    if (!rules || !rules.IsSequence() || rules.size() == 0)
      rd.fail(kv.second, path + ".rules", "a division needs a list of rules");
    out.division_ids.push_back(id);
    for (std::size_t i = 0; i < rules.size(); ++i)
      out.division_rules.push_back(
          rd.read_rule(rules[i], path + ".rules[" + std::to_string(i) + "]", id, false));
  }
}

void read_kinds(reader& rd, const YAML::Node& n, rules_set& out) {
  rd.expect_map(n, "kinds", {"default", "rules"});
  if (n["default"]) {
    out.default_kind = rd.text(n["default"], "kinds.default");
    if (!is_kind(out.default_kind))
      rd.fail(n["default"], "kinds.default", "must be complaint, idea, praise or question");
  }
  const auto rules = n["rules"];
  if (!rules || !rules.IsSequence()) rd.fail(n, "kinds.rules", "expected a list of rules");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto path = "kinds.rules[" + std::to_string(i) + "]";
    if (!rules[i].IsMap() || !rules[i]["kind"]) rd.fail(rules[i], path, "missing 'kind'");
    auto kind = rd.text(rules[i]["kind"], path + ".kind");
    if (!is_kind(kind))
      rd.fail(rules[i]["kind"], path + ".kind", "must be complaint, idea, praise or question");
    out.kind_rules.push_back(rd.read_rule(rules[i], path, kind, true));
  }
}

void read_urgency(reader& rd, const YAML::Node& n, rules_set& out) {
  rd.expect_map(n, "urgency", {"adds_division", "rules"});
  if (n["adds_division"])
    out.urgent_division = rd.text(n["adds_division"], "urgency.adds_division");
  const auto rules = n["rules"];
  if (!rules || !rules.IsSequence()) rd.fail(n, "urgency.rules", "expected a list of rules");
  for (std::size_t i = 0; i < rules.size(); ++i)
    out.urgency_rules.push_back(
        rd.read_rule(rules[i], "urgency.rules[" + std::to_string(i) + "]", "high", false));
}

void read_districts(reader& rd, const YAML::Node& n, rules_set& out) {
  rd.expect_map(n, "districts", {"boundaries", "border_margin_m", "places"});
  if (n["boundaries"]) {
    std::filesystem::path p = rd.text(n["boundaries"], "districts.boundaries");
    if (p.is_relative()) p = out.source.parent_path() / p;
    out.boundaries = p.lexically_normal();
  }
  if (n["border_margin_m"])
    out.border_margin_m = rd.number(n["border_margin_m"], "districts.border_margin_m", 0, 5000);
  const auto places = n["places"];
  if (!places) return;
  if (!places.IsMap()) rd.fail(places, "districts.places", "expected a mapping of district ids");
  for (const auto& kv : places) {
    const auto id = kv.first.as<std::string>();
    const auto path = "districts.places." + id;
    rd.expect_map(kv.second, path, {"names", "landmarks"});
    // Written names of the gu weigh more than landmarks, which can sit near a border.
    for (auto [key, weight] : {std::pair{"names", 2.0}, std::pair{"landmarks", 1.0}}) {
      const auto list = kv.second[key];
      if (!list) continue;
      rule r;
      r.id = "district." + id + "." + key;
      r.target = id;
      r.weight = weight;
      r.line = list.Mark().line + 1;
      r.terms = rd.terms(list, path + "." + key, true);
      out.district_rules.push_back(std::move(r));
    }
  }
}

}  // namespace

expected<rules_set, std::string> parse_rules(std::string_view yaml,
                                             const std::filesystem::path& name) {
  const auto file_name = name.filename().string();
  try {
    reader rd(file_name);
    const YAML::Node root = YAML::Load(std::string(yaml));
    rules_set out;
    out.source = name;
    rd.expect_map(root, "(top level)",
                  {"version", "scoring", "divisions", "kinds", "urgency", "districts"});
    if (!root["version"])
      rd.fail(root, "version", "missing (a label for this edition of the rules)");
    out.version = rd.text(root["version"], "version");
    if (const auto s = root["scoring"]) {
      rd.expect_map(s, "scoring",
                    {"min_score", "second_division_share", "second_division_rule_weight"});
      if (s["min_score"]) out.min_score = rd.number(s["min_score"], "scoring.min_score", 0.1, 100);
      if (s["second_division_share"])
        out.second_division_share =
            rd.number(s["second_division_share"], "scoring.second_division_share", 0, 1);
      if (s["second_division_rule_weight"])
        out.second_division_rule_weight = rd.number(s["second_division_rule_weight"],
                                                    "scoring.second_division_rule_weight", 0, 100);
    }
    if (!root["divisions"]) rd.fail(root, "divisions", "missing");
    read_divisions(rd, root["divisions"], out);
    if (root["kinds"]) read_kinds(rd, root["kinds"], out);
    if (root["urgency"]) {
      read_urgency(rd, root["urgency"], out);
      bool known = false;
      for (const auto& d : out.division_ids) known = known || d == out.urgent_division;
      if (!known)
        rd.fail(root["urgency"]["adds_division"], "urgency.adds_division",
                "'" + out.urgent_division + "' is not one of the divisions");
    }
    if (root["districts"]) read_districts(rd, root["districts"], out);
    return out;
  } catch (const rules_error& e) {
    return unexpected(e.message);
  } catch (const YAML::Exception& e) {
    return unexpected(file_name + ":" + std::to_string(e.mark.line + 1) +
                      ": not valid YAML: " + e.msg);
  }
}

expected<rules_set, std::string> load_rules_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return unexpected(file.string() + ": cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return unexpected(file.string() + ": read error");
  return parse_rules(content.str(), file);
}

}  // namespace civic::classify
