// Accuracy of the shipped rules on the labelled dev corpus (../shared/corpus,
// beside the checkout). Prints the figures; fails below the floors. Skipped
// (exit code 77) when the corpus is absent, as in a user's clone.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "consumers/classify/classifier.hpp"
#include "rules_fixture.hpp"
#include "support/corpus_line.hpp"

namespace {

// Raise these as the rules improve; never lower them to make a change pass.
constexpr double primary_division_floor = 0.94;
constexpr double kind_floor = 0.85;
constexpr double district_floor = 0.95;

std::filesystem::path corpus_path() {
  if (const char* p = std::getenv("CIVIC_CORPUS")) return p;
  return civic::test::source_dir() / ".." / "shared" / "corpus" / "dev.jsonl";
}

}  // namespace

TEST_CASE("dev corpus: primary division, kind and district accuracy of the shipped rules") {
  std::ifstream in(corpus_path());
  if (!in) {
    std::printf("corpus_accuracy_test: %s absent: skipped\n", corpus_path().string().c_str());
    std::fflush(stdout);
    std::_Exit(77);
  }
  auto loaded = civic::classify::classifier::load(civic::test::rules_fixture::shipped_rules());
  REQUIRE(loaded.has_value());
  const auto& c = **loaded;

  std::size_t total = 0, division_ok = 0, kind_ok = 0, district_ok = 0, triage_labelled = 0,
              triage_ok = 0;
  civic::test::for_each_corpus_line(in, [&](const civic::test::corpus_line& row) {
    const auto r = c.classify(row.input);
    ++total;
    const auto& labels = row.divisions;
    const bool hit = std::find(labels.begin(), labels.end(), r.primary_division()) != labels.end();
    division_ok += hit;
    if (labels[0] == "triage") {
      ++triage_labelled;
      triage_ok += hit;
    }
    kind_ok += civic::envelope::to_string(r.kind) == row.kind;
    district_ok += r.district == row.district;
  });
  REQUIRE(total > 0);
  const double division = static_cast<double>(division_ok) / static_cast<double>(total);
  const double kind = static_cast<double>(kind_ok) / static_cast<double>(total);
  const double district = static_cast<double>(district_ok) / static_cast<double>(total);
  std::printf(
      "dev corpus (%zu messages): primary division %.3f, kind %.3f, district %.3f, triage "
      "%zu/%zu\n",
      total, division, kind, district, triage_ok, triage_labelled);
  std::fflush(stdout);
  CHECK(division >= primary_division_floor);
  CHECK(kind >= kind_floor);
  CHECK(district >= district_floor);
}
