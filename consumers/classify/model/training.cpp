#include "consumers/classify/model/training.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/json/parse.hpp"
#include "consumers/classify/model/combination.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/classify/model/nearest_examples.hpp"

namespace civic::classify::model {
namespace {

const std::vector<std::string> kind_classes = {"complaint", "idea", "praise", "question"};

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

expected<std::vector<labelled_message>, std::string> read_labelled(
    const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return unexpected(file.string() + ": cannot be read");
  std::vector<labelled_message> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file.filename().string() + ":" + std::to_string(number) + ": ";
    rapidjson::Document d;
    json::parse(d, line);
    if (d.HasParseError() || !d.IsObject()) return unexpected(where + "not a JSON object");
    if (!d.HasMember("text") || !d["text"].IsString())
      return unexpected(where + "\"text\" must be a string");
    if (!d.HasMember("kind") || !d["kind"].IsString())
      return unexpected(where + "\"kind\" must be a string");
    if (!d.HasMember("divisions") || !d["divisions"].IsArray() || d["divisions"].Empty())
      return unexpected(where + "\"divisions\" must be a non-empty array");
    labelled_message m{d.HasMember("id") && d["id"].IsString() ? d["id"].GetString() : "",
                       d["text"].GetString(),
                       d["kind"].GetString(),
                       {}};
    for (const auto& v : d["divisions"].GetArray()) {
      if (!v.IsString()) return unexpected(where + "\"divisions\" must hold strings");
      m.divisions.emplace_back(v.GetString());
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string content_hash(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  char c;
  while (in.get(c)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

expected<std::shared_ptr<const semantic_model>, std::string> train_model(
    std::shared_ptr<const use_encoder> encoder, const std::vector<std::string>& divisions,
    const rule_scorer& rules, const std::vector<std::filesystem::path>& data,
    training_report& report) {
  std::vector<labelled_message> messages;
  std::ostringstream meta;
  for (const auto& file : data) {
    auto read = read_labelled(file);
    if (!read) return unexpected(std::move(read).error());
    meta << (meta.tellp() > 0 ? " " : "") << file.filename().string() << ":" << read->size() << ":"
         << content_hash(file);
    messages.insert(messages.end(), read->begin(), read->end());
  }
  auto index_of = [](const std::vector<std::string>& names, const std::string& n) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin());
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<head_example> division_examples, kind_examples;
  std::vector<int> ids;
  for (const auto& m : messages) {
    head_example e;
    e.embedding.resize(encoder->dims());
    encoder->tokenize(m.text, ids);
    encoder->encode_ids(ids, e.embedding);
    round_embedding(e.embedding);
    e.pieces = piece_features(std::span<const int>(ids).subspan(1, ids.size() - 2));
    head_example k = e;
    float total = 0;
    for (std::size_t i = 0; i < m.divisions.size() && i < 2; ++i) {
      const auto c = index_of(divisions, m.divisions[i]);
      if (c == divisions.size())
        return unexpected("division '" + m.divisions[i] + "' is not one of the rules' divisions");
      const float weight = i == 0 ? 1.0f : 0.5f;
      e.targets.emplace_back(c, weight);
      total += weight;
    }
    for (auto& t : e.targets) t.second /= total;
    const auto kc = index_of(kind_classes, m.kind);
    if (kc == kind_classes.size()) return unexpected("unknown kind '" + m.kind + "'");
    k.targets.emplace_back(kc, 1.0f);
    division_examples.push_back(std::move(e));
    kind_examples.push_back(std::move(k));
  }
  report.messages = messages.size();
  report.seconds_embedding = since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const head_training how;

  // Out-of-fold probabilities, to choose how much the rules weigh.
  constexpr std::size_t folds = 5;
  const std::size_t n = messages.size();
  std::vector<std::vector<float>> division_oof(n), kind_oof(n), example_oof(n), kind_example_oof(n);
  // A message and its noisy copies fall in one fold, or the copies would leak it.
  std::vector<std::size_t> fold(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string numbered = std::to_string(i);
    const std::string_view base =
        original_example_id(messages[i].id.empty() ? numbered : messages[i].id);
    uint64_t h = 1469598103934665603ull;  // FNV-1a: the same folds on every platform
    for (char c : base) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    fold[i] = static_cast<std::size_t>(h % folds);
  }
  // The examples of every fold but `except` (none: all of them).
  auto examples_of = [&](const std::vector<std::size_t>& in_fold, std::size_t except) {
    nearest_examples near;
    near.classes = divisions.size();
    near.kind_classes = kind_classes.size();
    near.dims = encoder->dims();
    for (std::size_t i = 0; i < n; ++i)
      if (in_fold[i] != except)
        near.add(messages[i].id, division_examples[i].embedding, division_examples[i].targets,
                 static_cast<uint32_t>(kind_examples[i].targets.front().first));
    return near;
  };
  for (std::size_t f = 0; f < folds; ++f) {
    std::vector<head_example> dtrain, ktrain;
    for (std::size_t i = 0; i < n; ++i)
      if (fold[i] != f) {
        dtrain.push_back(division_examples[i]);
        ktrain.push_back(kind_examples[i]);
      }
    const auto dh = linear_head::train(divisions, encoder->dims(), dtrain, how);
    const auto near = examples_of(fold, f);
    const auto kh = linear_head::train(kind_classes, encoder->dims(), ktrain, how);
    std::vector<neighbour> nearest;
    for (std::size_t i = 0; i < n; ++i) {
      if (fold[i] != f) continue;
      division_oof[i].resize(divisions.size());
      dh.probabilities(division_examples[i].embedding, division_examples[i].pieces,
                       division_oof[i]);
      example_oof[i].resize(divisions.size());
      near.probabilities(division_examples[i].embedding, example_oof[i], &nearest);
      kind_example_oof[i].resize(kind_classes.size());
      near.kind_probabilities(nearest, kind_example_oof[i]);
      kind_oof[i].resize(kind_classes.size());
      kh.probabilities(kind_examples[i].embedding, kind_examples[i].pieces, kind_oof[i]);
    }
  }
  std::vector<std::pair<std::vector<double>, std::vector<double>>> rule_scores;
  for (const auto& m : messages) rule_scores.push_back(rules(m.text));
  combination mix;
  // The class ranked first: the head's out-of-fold probabilities and the
  // neighbours' vote mixed by `share`, then the rules by weight and cap.
  std::vector<float> mixed;
  auto mixed_top = [&](const std::vector<float>& head, const std::vector<float>& vote,
                       const std::vector<double>& rule, double share, double weight, double cap) {
    mixed.assign(head.begin(), head.end());
    blend(mixed, vote, static_cast<float>(share));
    return ranking(combine(mixed, rule, weight, cap)).front();
  };
  double example_weight = 0;
  auto division_top = [&](std::size_t i, double weight, double cap) {
    return mixed_top(division_oof[i], example_oof[i], rule_scores[i].first, example_weight, weight,
                     cap);
  };
  auto division_right = [&](std::size_t i, double weight, double cap) {
    const auto& top = divisions[division_top(i, weight, cap)];
    return std::find(messages[i].divisions.begin(), messages[i].divisions.end(), top) !=
           messages[i].divisions.end();
  };
  double kind_example_weight = 0;
  auto kind_top = [&](std::size_t i, double weight, double cap) {
    return mixed_top(kind_oof[i], kind_example_oof[i], rule_scores[i].second, kind_example_weight,
                     weight, cap);
  };
  auto kind_right = [&](std::size_t i, double weight, double cap) {
    return kind_classes[kind_top(i, weight, cap)] == messages[i].kind;
  };
  // Weight 0 to 3 and the score at which the rules' say saturates (1 to 6).
  auto best = [&](auto right, std::vector<combination_tried>& tried) {
    combination_tried top{0, 1, -1};
    for (double cap : {1.0, 2.0, 3.0, 4.0, 6.0})
      for (int step = 0; step <= 30; ++step) {
        const double weight = 0.1 * static_cast<double>(step);
        std::size_t ok = 0;
        for (std::size_t i = 0; i < n; ++i) ok += right(i, weight, cap) ? 1u : 0u;
        const combination_tried t{weight, cap, static_cast<double>(ok) / static_cast<double>(n)};
        tried.push_back(t);
        if (t.accuracy > top.accuracy) top = t;
      }
    return top;
  };
  // The examples' share of the vote: none, or 0.3 to 0.7. For each, `pick` takes
  // a combination from the grid of rule weights and caps; the share whose pick
  // scores best wins, and `chosen_grid` keeps its grid.
  auto choose_share = [&](auto right, double& share_in_use, auto pick,
                          std::vector<std::pair<double, double>>& by_share, double& chosen_share,
                          std::vector<combination_tried>& chosen_grid) {
    combination_tried chosen{0, 1, -1};
    for (double share : {0.0, 0.3, 0.5, 0.7}) {
      share_in_use = share;
      std::vector<combination_tried> tried;
      const combination_tried top = pick(best(right, tried), tried);
      by_share.emplace_back(share, top.accuracy);
      if (top.accuracy > chosen.accuracy) {
        chosen = top;
        chosen_share = share;
        chosen_grid = std::move(tried);
      }
    }
    return chosen;
  };
  // Divisions: the rule weight and cap that suit each share best.
  const combination_tried division_best = choose_share(
      division_right, example_weight,
      [](const combination_tried& top, const std::vector<combination_tried>&) { return top; },
      report.example_weights, report.chosen_example_weight, report.division_weights);
  mix.example_weight = report.chosen_example_weight;
  // The same shares of the neighbours' vote over their kinds, for the kind. The
  // kinds' rule weight and cap are held, not chosen: the training data was written
  // to teach the model what the rules miss and holds few kind rule terms, so the
  // cross-validation cannot tell what the kind rules are worth. Over the grid it
  // was flat within its noise (0.918 to 0.923 on 5,025 messages, one standard
  // error about 0.004), and its arg max (0.3, cap 6) left the rules almost no say;
  // the held value is what it chose when the data still had rule terms. The grid
  // is still measured and printed.
  constexpr double held_kind_rule_weight = 0.6, held_kind_rule_cap = 1.0;
  const combination_tried kind_best = choose_share(
      kind_right, kind_example_weight,
      [&](const combination_tried&, const std::vector<combination_tried>& tried) {
        return *std::find_if(tried.begin(), tried.end(), [&](const combination_tried& t) {
          return std::abs(t.weight - held_kind_rule_weight) < 1e-9 && t.cap == held_kind_rule_cap;
        });
      },
      report.kind_example_weights, report.chosen_kind_example_weight, report.kind_weights);
  mix.kind_example_weight = report.chosen_kind_example_weight;
  mix.rule_weight = division_best.weight;
  mix.rule_cap = division_best.cap;
  mix.kind_rule_weight = kind_best.weight;
  mix.kind_rule_cap = kind_best.cap;
  report.chosen_division = division_best;
  report.chosen_kind = kind_best;
  report.model_only_accuracy = report.division_weights.front().accuracy;
  std::size_t rules_ok = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = rule_scores[i].first;
    const auto top = ranking(r).front();
    const bool any = r[top] > 0;
    const std::string& d = any ? divisions[top] : std::string("triage");
    rules_ok += std::find(messages[i].divisions.begin(), messages[i].divisions.end(), d) !=
                messages[i].divisions.end();
  }
  report.rules_only_accuracy = static_cast<double>(rules_ok) / static_cast<double>(n);
  // Per primary division, with the chosen combination: how many were right, and
  // what the others were taken for (the divisions to write more examples for).
  example_weight = mix.example_weight;
  report.division_confusion.assign(divisions.size(), std::vector<std::size_t>(divisions.size()));
  report.division_classes = divisions;
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = index_of(divisions, messages[i].divisions.front());
    const auto top = division_top(i, mix.rule_weight, mix.rule_cap);
    const bool right = division_right(i, mix.rule_weight, mix.rule_cap);
    ++report.division_confusion[label][right ? label : top];
    if (!right)
      report.misses.push_back({"division", messages[i].id, messages[i].text,
                               messages[i].divisions.front(), divisions[top]});
  }
  kind_example_weight = mix.kind_example_weight;
  report.kind_classes = kind_classes;
  report.kind_confusion.assign(kind_classes.size(), std::vector<std::size_t>(kind_classes.size()));
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = index_of(kind_classes, messages[i].kind);
    const auto top = kind_top(i, mix.kind_rule_weight, mix.kind_rule_cap);
    ++report.kind_confusion[label][top];
    if (top != label)
      report.misses.push_back(
          {"kind", messages[i].id, messages[i].text, messages[i].kind, kind_classes[top]});
  }

  auto division_head = linear_head::train(divisions, encoder->dims(), division_examples, how);
  auto kind_head = linear_head::train(kind_classes, encoder->dims(), kind_examples, how);
  report.seconds_training = since(t1);
  head_meta hm{encoder->id(), meta.str(), mix};
  return semantic_model::from_parts(std::move(encoder), std::move(division_head),
                                    std::move(kind_head), examples_of(fold, folds), std::move(hm));
}

}  // namespace civic::classify::model
