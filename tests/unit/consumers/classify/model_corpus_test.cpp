// Routing accuracy with the sentence model beside the rules, on every labelled
// set kept for checking: the dev corpus (../shared/corpus, when present), the
// held-out set written apart from the training data (data/triage/heldout.jsonl)
// the 40 unseen messages (tests/fixtures/classify/unseen.jsonl) and the 100 of
// unseen2.jsonl beside it (written before the training data of t3336 on), and the 487 of
// data/triage/heldout3.jsonl (another author, never trained on). Prints the
// figures with the model and with the rules alone; fails below the floors.
// Skipped (77) when the encoder is not fetched; a set that is absent is named.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "consumers/classify/classifier.hpp"
#include "support/corpus_line.hpp"
#include "support/sentence_model.hpp"

namespace {

struct floors {
  double division, kind;
};

// Raise these as the method improves; never lower them to make a change pass.
constexpr floors dev_floor{0.94, 0.87};
constexpr floors heldout_floor{0.91, 0.94};
constexpr floors unseen_floor{0.97, 0.875};
constexpr floors unseen2_floor{0.89, 0.80};
constexpr floors heldout3_floor{0.83, 0.89};

struct figures {
  std::size_t total = 0, division_ok = 0, kind_ok = 0, second_labelled = 0, second_found = 0,
              second_extra = 0;
  double division() const { return static_cast<double>(division_ok) / static_cast<double>(total); }
  double kind() const { return static_cast<double>(kind_ok) / static_cast<double>(total); }
};

figures score(const civic::classify::classifier& c, const std::filesystem::path& file) {
  figures f;
  std::ifstream in(file);
  civic::test::for_each_corpus_line(in, [&](const civic::test::corpus_line& row) {
    const auto r = c.classify(row.input);
    ++f.total;
    const auto& labels = row.divisions;
    f.division_ok += std::find(labels.begin(), labels.end(), r.primary_division()) != labels.end();
    f.kind_ok += civic::envelope::to_string(r.kind) == row.kind;
    const bool two = labels.size() > 1;
    f.second_labelled += two;
    if (r.divisions.size() > 1) {
      const bool right = two && r.divisions[1] == labels[1];
      f.second_found += right;
      f.second_extra += !right;
    }
  });
  return f;
}

}  // namespace

TEST_CASE("labelled sets: primary division and kind with the sentence model and the rules") {
  auto model = civic::test::sentence_model_or_skip("classify_model_corpus_test");
  const auto rules = civic::test::source_dir() / "deploy/config/rules/seoul.yaml";
  auto with_model = civic::classify::classifier::load(rules, model);
  REQUIRE_MESSAGE(with_model.has_value(), with_model.error());
  auto rules_only = civic::classify::classifier::load(rules);
  REQUIRE(rules_only.has_value());

  struct set {
    const char* name;
    std::filesystem::path file;
    floors floor;
  };
  const auto root = civic::test::source_dir();
  const set sets[] = {
      {"dev corpus (../shared/corpus/dev.jsonl)", root / ".." / "shared" / "corpus" / "dev.jsonl",
       dev_floor},
      {"held-out (data/triage/heldout.jsonl)", root / "data/triage/heldout.jsonl", heldout_floor},
      {"unseen (tests/fixtures/classify/unseen.jsonl)",
       root / "tests/fixtures/classify/unseen.jsonl", unseen_floor},
      {"unseen2 (tests/fixtures/classify/unseen2.jsonl)",
       root / "tests/fixtures/classify/unseen2.jsonl", unseen2_floor},
      {"held-out 3 (data/triage/heldout3.jsonl)", root / "data/triage/heldout3.jsonl",
       heldout3_floor},
  };
  std::printf("%-48s %5s  %-27s  %-15s  %s\n", "set", "n", "division model / rules", "kind m / r",
              "second divisions found / labelled, extra");
  for (const auto& s : sets) {
    if (!std::filesystem::exists(s.file)) {
      std::printf("%-48s absent: not scored\n", s.name);
      continue;
    }
    const auto m = score(**with_model, s.file);
    const auto r = score(**rules_only, s.file);
    REQUIRE(m.total > 0);
    std::printf(
        "%-48s %5zu  %.3f / %.3f (floor %.2f)   %.3f / %.3f    %zu / %zu, %zu (rules %zu, %zu)\n",
        s.name, m.total, m.division(), r.division(), s.floor.division, m.kind(), r.kind(),
        m.second_found, m.second_labelled, m.second_extra, r.second_found, r.second_extra);
    std::fflush(stdout);
    CHECK_MESSAGE(m.division() >= s.floor.division, s.name);
    CHECK_MESSAGE(m.kind() >= s.floor.kind, s.name);
  }
}
