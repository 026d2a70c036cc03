#include "consumers/classify/classifier.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

#include "consumers/classify/district_map.hpp"
#include "consumers/classify/model/semantic_model.hpp"
#include "consumers/classify/rules_loader.hpp"
#include "consumers/classify/term_matcher.hpp"
#include "consumers/classify/text_fold.hpp"

namespace civic::classify {

std::string_view to_string(urgency u) { return u == urgency::high ? "high" : "normal"; }

namespace {

enum class group : uint8_t { division, kind, urgency, district };
constexpr std::size_t group_count = 4;

struct term_use {
  group g;
  uint32_t rule;
  bool is_exclusion;
};

// Per rule: which of its terms were found, and whether an exclusion was.
struct rule_hits {
  std::vector<std::vector<std::string_view>> terms;
  std::vector<uint8_t> excluded;
  bool fired(std::size_t r) const { return !terms[r].empty() && excluded[r] == 0; }
};

}  // namespace

struct classifier::impl {
  rules_set rules;
  std::vector<std::string> terms;           // distinct folded terms
  std::vector<std::vector<term_use>> uses;  // per term
  std::optional<term_matcher> matcher;
  std::optional<district_map> districts;
  std::shared_ptr<const model::semantic_model> model;
  // Per model division class: its index in rules.division_ids (size() for triage).
  std::vector<std::size_t> model_to_rules;

  const std::vector<rule>& rules_of(group g) const {
    switch (g) {
      case group::division:
        return rules.division_rules;
      case group::kind:
        return rules.kind_rules;
      case group::urgency:
        return rules.urgency_rules;
      case group::district:
        return rules.district_rules;
    }
    return rules.division_rules;
  }

  // False when the matcher failed on the text (RE2 out of memory): no term of
  // it was considered.
  bool collect(std::string_view folded, std::array<rule_hits, group_count>& hits) const {
    for (std::size_t g = 0; g < group_count; ++g) {
      const auto n = rules_of(static_cast<group>(g)).size();
      hits[g].terms.assign(n, {});
      hits[g].excluded.assign(n, 0);
    }
    std::vector<int> found;
    if (folded.empty()) return true;
    if (!matcher->find(folded, found)) return false;
    for (int t : found)
      for (const auto& use : uses[static_cast<std::size_t>(t)]) {
        auto& h = hits[static_cast<std::size_t>(use.g)];
        if (use.is_exclusion)
          h.excluded[use.rule] = 1;
        else
          h.terms[use.rule].push_back(terms[static_cast<std::size_t>(t)]);
      }
    return true;
  }

  // Primary and second division from the model's probabilities and the rules'
  // scores; fills out.divisions (empty: triage), model_divisions and embedding.
  template <class Ranked>
  void choose(const model::model_view& view, const Ranked& ranked, classification& out) const {
    const auto& mix = model->meta().mix;
    const auto& classes = model->division_classes();
    std::vector<double> rule_score(classes.size(), 0.0);
    std::vector<double> strongest(classes.size(), 0.0);
    for (const auto& r : ranked)
      for (std::size_t i = 0; i < classes.size(); ++i)
        if (classes[i] == r.id) {
          rule_score[i] = r.score;
          strongest[i] = r.strongest;
        }
    const auto combined =
        model::combine(view.division_probs, rule_score, mix.rule_weight, mix.rule_cap);
    const auto order = model::ranking(combined);
    const auto first = order[0];
    if (classes[first] != triage_division) {
      out.divisions.push_back(classes[first]);
      if (order.size() > 1) {
        const auto second = order[1];
        const bool rule_evidence =
            rule_score[second] >= rules.min_score &&
            rule_score[second] >= rules.second_division_share * rule_score[first] &&
            strongest[second] >= rules.second_division_rule_weight;
        if (classes[second] != triage_division &&
            combined[second] >= mix.second_share * combined[first] &&
            (static_cast<double>(view.division_probs[second]) >= mix.second_min_probability ||
             rule_evidence))
          out.divisions.push_back(classes[second]);
      }
    }
    std::vector<std::size_t> by_probability(classes.size());
    for (std::size_t i = 0; i < classes.size(); ++i) by_probability[i] = i;
    std::stable_sort(by_probability.begin(), by_probability.end(), [&](auto a, auto b) {
      return view.division_probs[a] > view.division_probs[b];
    });
    for (std::size_t i = 0; i < by_probability.size() && out.model_divisions.size() < 3; ++i) {
      const auto c = by_probability[i];
      if (view.division_probs[c] < 0.05f) break;
      out.model_divisions.emplace_back(classes[c], static_cast<double>(view.division_probs[c]));
    }
    // The three nearest, a noisy copy ("t0012n") not beside its original.
    const auto& examples = model->examples();
    using model::original_example_id;
    for (const auto& nb : view.nearest) {
      if (out.model_examples.size() == 3) break;
      const auto& id = examples.ids[nb.example];
      if (std::any_of(out.model_examples.begin(), out.model_examples.end(), [&](const auto& e) {
            return original_example_id(e.id) == original_example_id(id);
          }))
        continue;
      out.model_examples.push_back(
          {id, classes[examples.targets[nb.example][0].cls], static_cast<double>(nb.similarity)});
    }
    out.embedding = view.embedding;
  }

  rule_match explain(group g, std::size_t r, const rule_hits& h) const {
    const auto& ru = rules_of(g)[r];
    rule_match m{ru.id, ru.target, ru.weight, {}};
    for (auto t : h.terms[r]) m.terms.emplace_back(t);
    return m;
  }
};

classifier::classifier(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
classifier::~classifier() = default;

const std::vector<std::string>& classifier::divisions() const { return impl_->rules.division_ids; }
const std::string& classifier::rules_version() const { return impl_->rules.version; }
const std::shared_ptr<const model::semantic_model>& classifier::model() const {
  return impl_->model;
}

expected<std::shared_ptr<const classifier>, std::string> classifier::load(
    const std::filesystem::path& rules_file, std::shared_ptr<const model::semantic_model> model) {
  auto rules = load_rules_file(rules_file);
  if (!rules) return unexpected(std::move(rules.error()));
  auto p = std::make_unique<impl>();
  p->rules = std::move(*rules);

  std::map<std::string, std::size_t, std::less<>> index;
  auto add = [&](const std::string& term, term_use use) {
    auto [it, inserted] = index.try_emplace(term, p->terms.size());
    if (inserted) {
      p->terms.push_back(term);
      p->uses.emplace_back();
    }
    p->uses[it->second].push_back(use);
  };
  for (auto g : {group::division, group::kind, group::urgency, group::district}) {
    const auto& list = p->rules_of(g);
    for (std::size_t r = 0; r < list.size(); ++r) {
      for (const auto& t : list[r].terms) add(t, {g, static_cast<uint32_t>(r), false});
      for (const auto& t : list[r].unless) add(t, {g, static_cast<uint32_t>(r), true});
    }
  }
  auto matcher = term_matcher::build(p->terms);
  if (!matcher) return unexpected(rules_file.filename().string() + ": " + matcher.error());
  p->matcher.emplace(std::move(*matcher));

  if (!p->rules.boundaries.empty()) {
    auto map = district_map::load(p->rules.boundaries);
    if (!map)
      return unexpected(rules_file.filename().string() + ": districts.boundaries: " + map.error());
    // A misspelt gu in districts.places would never be chosen from coordinates
    // and would disagree with them; refuse it at load.
    for (const auto& r : p->rules.district_rules)
      if (!map->contains_id(r.target))
        return unexpected(rules_file.filename().string() + ":" + std::to_string(r.line) +
                          ": districts.places." + r.target + ": '" + r.target +
                          "' is not a district of " + p->rules.boundaries.filename().string());
    p->districts.emplace(std::move(*map));
  }
  if (model) {
    const auto& ids = p->rules.division_ids;
    for (const auto& d : model->division_classes()) {
      const auto at = static_cast<std::size_t>(std::find(ids.begin(), ids.end(), d) - ids.begin());
      if (at == ids.size() && d != triage_division)
        return unexpected(rules_file.filename().string() + ": the sentence model knows division '" +
                          d + "', which the rules do not define (retrain: router train-model)");
      p->model_to_rules.push_back(at);
    }
    p->model = std::move(model);
  }
  return std::shared_ptr<const classifier>(new classifier(std::move(p)));
}

namespace {

struct scored {
  std::string id;
  double score = 0;
  std::size_t order = 0;
  double strongest = 0;  // the highest weight among its fired rules
};

// A rule gives its weight for its first term and half again for each further
// distinct term, up to twice its weight: several words of one topic are
// stronger evidence than one, without letting a long term list dominate. A
// term found only as part of a longer found term ("쓰레기" in "쓰레기통") is
// not counted again.
double rule_points(double weight, const std::vector<std::string_view>& found) {
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    bool inside_other = false;
    for (std::size_t j = 0; j < found.size() && !inside_other; ++j)
      inside_other = i != j && found[j].size() > found[i].size() &&
                     found[j].find(found[i]) != std::string_view::npos;
    if (!inside_other) ++distinct;
  }
  if (distinct == 0) distinct = 1;
  return weight * std::min(2.0, 1.0 + 0.5 * static_cast<double>(distinct - 1));
}

// Scores per target (in first-seen order of `targets`), highest first.
std::vector<scored> rank(const std::vector<rule>& rules, const rule_hits& h,
                         const std::vector<std::string>& targets) {
  std::vector<scored> out;
  for (std::size_t i = 0; i < targets.size(); ++i) out.push_back({targets[i], 0, i});
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (!h.fired(r)) continue;
    const double points = rule_points(rules[r].weight, h.terms[r]);
    for (auto& s : out)
      if (s.id == rules[r].target) {
        s.score += points;
        s.strongest = std::max(s.strongest, rules[r].weight);
      }
  }
  // Equal scores: the target with the stronger single rule first (one specific
  // rule says more than several general ones), then file order.
  std::stable_sort(out.begin(), out.end(), [](const scored& a, const scored& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.strongest > b.strongest;
  });
  return out;
}

// The named district with the highest score, if any.
std::optional<std::string> named_district(const std::vector<rule>& rules, const rule_hits& h) {
  std::map<std::string, double> score;
  for (std::size_t r = 0; r < rules.size(); ++r)
    if (h.fired(r)) score[rules[r].target] += rules[r].weight;
  std::optional<std::string> best;
  double best_score = 0;
  for (const auto& [id, s] : score)
    if (s > best_score) {
      best = id;
      best_score = s;
    }
  return best;
}

// The gu whose id `stated` is, whatever its letter case ("mapo-gu").
std::optional<std::string> district_id(const std::vector<rule>& rules, std::string_view stated) {
  auto same = [&](const std::string& id) {
    return id.size() == stated.size() &&
           std::equal(id.begin(), id.end(), stated.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (const auto& r : rules)
    if (same(r.target)) return r.target;
  return std::nullopt;
}

const std::vector<std::string> kind_names = {"complaint", "idea", "praise", "question"};

}  // namespace

classifier::rule_scores classifier::score_rules(const input& in) const {
  const auto& rules = impl_->rules;
  std::array<rule_hits, group_count> hits;
  impl_->collect(fold_for_matching(in.text).value_or(std::string()), hits);
  rule_scores out;
  const auto divisions = rank(rules.division_rules, hits[static_cast<std::size_t>(group::division)],
                              rules.division_ids);
  out.divisions.assign(rules.division_ids.size(), 0.0);
  for (const auto& d : divisions) out.divisions[d.order] = d.score;
  const auto kinds =
      rank(rules.kind_rules, hits[static_cast<std::size_t>(group::kind)], kind_names);
  out.kinds.assign(kind_names.size(), 0.0);
  for (const auto& k : kinds) out.kinds[k.order] = k.score;
  return out;
}

classification classifier::classify(const input& in) const {
  const auto& rules = impl_->rules;
  classification out;
  std::array<rule_hits, group_count> text_hits;
  const auto folded_text = fold_for_matching(in.text).value_or(std::string());
  out.text_unmatched = !impl_->collect(folded_text, text_hits);

  // Divisions.
  const auto& dh = text_hits[static_cast<std::size_t>(group::division)];
  const auto ranked = rank(rules.division_rules, dh, rules.division_ids);
  std::optional<model::model_view> view;
  if (impl_->model && !out.text_unmatched) view = impl_->model->analyse(in.text, in.embedding);
  if (view) {
    impl_->choose(*view, ranked, out);
  } else if (!ranked.empty() && ranked[0].score >= rules.min_score) {
    out.divisions.push_back(ranked[0].id);
    if (ranked.size() > 1 && ranked[1].score >= rules.min_score &&
        ranked[1].score >= rules.second_division_share * ranked[0].score &&
        ranked[1].strongest >= rules.second_division_rule_weight)
      out.divisions.push_back(ranked[1].id);
  }

  // Urgency: an urgent message always reaches the safety division too.
  const auto& uh = text_hits[static_cast<std::size_t>(group::urgency)];
  for (std::size_t r = 0; r < rules.urgency_rules.size(); ++r)
    if (uh.fired(r)) out.level = urgency::high;
  if (out.level == urgency::high && std::find(out.divisions.begin(), out.divisions.end(),
                                              rules.urgent_division) == out.divisions.end()) {
    if (out.divisions.size() == 2) out.divisions.pop_back();
    out.divisions.push_back(rules.urgent_division);
  }
  if (out.divisions.empty()) out.divisions.emplace_back(triage_division);

  // Explanations of the division decision: rules of the chosen divisions first.
  // A text the matcher failed on says so first, so that triage sees why.
  if (out.text_unmatched)
    out.matched.push_back(
        {std::string(text_not_matched_rule), std::string(triage_division), 0, {}});
  for (const auto& [division, p] : out.model_divisions)
    out.matched.push_back({std::string(model_division_rule), division, p, {}});
  for (const auto& e : out.model_examples)
    out.matched.push_back({std::string(model_example_rule), e.division, e.similarity, {e.id}});
  for (const auto& d : out.divisions)
    for (std::size_t r = 0; r < rules.division_rules.size(); ++r)
      if (dh.fired(r) && rules.division_rules[r].target == d)
        out.matched.push_back(impl_->explain(group::division, r, dh));
  for (std::size_t r = 0; r < rules.division_rules.size(); ++r)
    if (dh.fired(r) && std::find(out.divisions.begin(), out.divisions.end(),
                                 rules.division_rules[r].target) == out.divisions.end())
      out.matched.push_back(impl_->explain(group::division, r, dh));

  // Kind.
  const auto& kh = text_hits[static_cast<std::size_t>(group::kind)];
  const auto kinds = rank(rules.kind_rules, kh, kind_names);
  std::string kind = kinds[0].score > 0 ? kinds[0].id : rules.default_kind;
  if (view) {
    const auto& mix = impl_->model->meta().mix;
    const auto& classes = impl_->model->kind_classes();
    std::vector<double> rule_score(classes.size(), 0.0);
    for (const auto& k : kinds)
      for (std::size_t i = 0; i < classes.size(); ++i)
        if (classes[i] == k.id) rule_score[i] = k.score;
    const auto combined =
        model::combine(view->kind_probs, rule_score, mix.kind_rule_weight, mix.kind_rule_cap);
    const auto top = model::ranking(combined).front();
    kind = classes[top];
    out.matched.push_back({std::string(model_kind_rule), kind, view->kind_probs[top], {}});
  }
  out.kind = envelope::parse_kind(kind).value_or(envelope::feedback_kind::complaint);
  for (std::size_t r = 0; r < rules.kind_rules.size(); ++r)
    if (kh.fired(r) && rules.kind_rules[r].target == kind)
      out.matched.push_back(impl_->explain(group::kind, r, kh));
  for (std::size_t r = 0; r < rules.urgency_rules.size(); ++r)
    if (uh.fired(r)) out.matched.push_back(impl_->explain(group::urgency, r, uh));

  // District: what the message states first (in the rules' spelling, so that
  // "마포구" and "Mapo-gu" are one locality); then coordinates; a gu named in the
  // address, then in the text, decides near a border and without coordinates.
  std::array<rule_hits, group_count> stated_hits;
  std::optional<std::string> from_stated;
  bool stated_by_name = false;  // a name of districts.places, not the gu's id
  if (in.district) {
    from_stated = district_id(rules.district_rules, *in.district);
    if (!from_stated) {
      stated_by_name = true;
      impl_->collect(fold_for_matching(*in.district).value_or(std::string()), stated_hits);
      from_stated = named_district(rules.district_rules,
                                   stated_hits[static_cast<std::size_t>(group::district)]);
    }
  }
  const auto& xh_text = text_hits[static_cast<std::size_t>(group::district)];
  std::array<rule_hits, group_count> address_hits;
  if (in.address)
    impl_->collect(fold_for_matching(*in.address).value_or(std::string()), address_hits);
  const auto& xh_address = address_hits[static_cast<std::size_t>(group::district)];
  const auto from_address =
      in.address ? named_district(rules.district_rules, xh_address) : std::nullopt;
  const auto from_text = named_district(rules.district_rules, xh_text);
  const rule_hits* deciding = nullptr;
  if (from_stated) {
    out.district = from_stated;
    if (stated_by_name)
      deciding = &stated_hits[static_cast<std::size_t>(group::district)];
    else
      out.matched.push_back({"district.stated", *from_stated, 1.0, {}});
  } else if (in.district && !in.district->empty()) {
    out.district = std::string(*in.district);
  } else if (in.lat && in.lon && impl_->districts) {
    const auto found = impl_->districts->locate(*in.lat, *in.lon, rules.border_margin_m);
    auto near = [&](const std::optional<std::string>& id) {
      return id && std::find(found.nearby.begin(), found.nearby.end(), *id) != found.nearby.end();
    };
    if (!found.best.empty()) {
      if (found.nearby.size() > 1 && near(from_address)) {
        out.district = from_address;
        deciding = &xh_address;
      } else if (found.nearby.size() > 1 && near(from_text)) {
        out.district = from_text;
        deciding = &xh_text;
      } else {
        out.district = found.best;
        out.matched.push_back({"district.boundaries", found.best, 1.0, {}});
      }
    }
  } else if (from_address) {
    out.district = from_address;
    deciding = &xh_address;
  } else if (from_text) {
    out.district = from_text;
    deciding = &xh_text;
  }
  if (deciding)
    for (std::size_t r = 0; r < rules.district_rules.size(); ++r)
      if (deciding->fired(r) && rules.district_rules[r].target == *out.district)
        out.matched.push_back(impl_->explain(group::district, r, *deciding));
  return out;
}

}  // namespace civic::classify
