#include "consumers/classify/rules_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "consumers/classify/classifier.hpp"
#include "rules_fixture.hpp"

using civic::classify::parse_rules;

namespace {
std::string error_of(std::string_view yaml) {
  auto r = parse_rules(yaml, "test.yaml");
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("a valid rules file is read with its weights, exclusions and kinds") {
  auto r = parse_rules(R"(version: "t-1"
scoring:
  min_score: 2
  second_division_share: 0.5
  second_division_rule_weight: 2
divisions:
  water:
    rules:
      - id: water.leak
        weight: 3
        terms: [누수, Water Leak]
        unless: [데이터 누수]
kinds:
  default: idea
  rules:
    - {id: k.q, kind: question, weight: 0.5, terms: ["?"]}
)",
                       "test.yaml");
  REQUIRE(r.has_value());
  CHECK(r->version == "t-1");
  CHECK(r->min_score == 2);
  CHECK(r->second_division_share == 0.5);
  CHECK(r->second_division_rule_weight == 2);
  REQUIRE(r->division_rules.size() == 1);
  const auto& rule = r->division_rules[0];
  CHECK(rule.id == "water.leak");
  CHECK(rule.target == "water");
  CHECK(rule.weight == 3);
  CHECK(rule.terms == std::vector<std::string>{"누수", "water leak"});  // folded
  CHECK(rule.unless == std::vector<std::string>{"데이터 누수"});
  CHECK(rule.line == 9);
  CHECK(r->default_kind == "idea");
  REQUIRE(r->kind_rules.size() == 1);
  CHECK(r->kind_rules[0].target == "question");
}

TEST_CASE("errors name the file, the line and the field") {
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules:\n      - id: a\n        weight: "
                 "lots\n        terms: [누수]\n") ==
        "test.yaml:6: divisions.water.rules[0].weight: expected a number");
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules:\n      - id: a\n        terms: "
                 "[누수]\n        wieght: 2\n") ==
        "test.yaml:7: divisions.water.rules[0]: unknown key 'wieght' (allowed: id, weight, terms, "
        "unless, note)");
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules:\n      - id: a\n        terms: "
                 "[누수, 물]\n")
            .starts_with(
                "test.yaml:6: divisions.water.rules[0].terms[1]: '물': a single Hangul syllable"));
}

TEST_CASE("broken YAML is refused with its line") {
  const auto e = error_of("version: x\ndivisions:\n  water:\n    rules: [\n");
  CHECK(e.starts_with("test.yaml:"));
  CHECK(e.find("not valid YAML") != std::string::npos);
}

TEST_CASE("structural mistakes are refused") {
  CHECK(error_of("divisions: {}\n").find("version") != std::string::npos);
  CHECK(error_of("version: x\ndivisions:\n  triage:\n    rules: [{id: t, terms: [뭐든지]}]\n")
            .find("triage") != std::string::npos);
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}, {id: a, "
                 "terms: [침수]}]\n")
            .find("'a' is used twice") != std::string::npos);
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: []}]\n")
            .find("at least one term") != std::string::npos);
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\n"
                 "kinds:\n  rules: [{id: k, kind: rant, terms: [아아]}]\n")
            .find("complaint, idea, praise or question") != std::string::npos);
  CHECK(error_of("version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\n"
                 "urgency:\n  adds_division: fire\n  rules: [{id: u, terms: [화재]}]\n")
            .find("'fire' is not one of the divisions") != std::string::npos);
}

TEST_CASE("a missing file and missing district boundaries are refused by name") {
  auto missing = civic::classify::classifier::load("/nonexistent/rules.yaml");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().find("cannot be read") != std::string::npos);

  civic::test::rules_fixture f(
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\n"
      "districts:\n  boundaries: nowhere.geojson\n");
  auto c = civic::classify::classifier::load(f.path());
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().find("districts.boundaries") != std::string::npos);
}

TEST_CASE(
    "terms without a letter or digit, and one syllable with wildcard or hyphen, are refused") {
  const std::string head =
      "version: x\ndivisions:\n  water:\n    rules:\n      - id: a\n        terms: [누수, ";
  for (const char* bad : {"\"-\"", "\"*\"", "\"- -\"", "\"?!\"", "\"...\""}) {
    CAPTURE(bad);
    const auto e = error_of(head + bad + "]\n");
    CHECK(e.starts_with("test.yaml:6: divisions.water.rules[0].terms[1]: "));
    CHECK(e.find("must contain a letter or digit") != std::string::npos);
  }
  for (const char* bad : {"물*", "물-", "\"물 \"", "\"- 물\""}) {
    CAPTURE(bad);
    CHECK(error_of(head + bad + "]\n").find("a single Hangul syllable") != std::string::npos);
  }
  // Still accepted: a lone question mark, two syllables with a wildcard, a
  // hyphenated English word, a number.
  auto ok = parse_rules(head + "\"?\", 물길*, e-mail, \"120\"]\n", "test.yaml");
  REQUIRE_MESSAGE(ok.has_value(), (ok.has_value() ? "" : ok.error()));
  CHECK(ok->division_rules[0].terms.size() == 5);
}

TEST_CASE("a district id the boundaries file does not know is refused with its line") {
  civic::test::rules_fixture f(
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\n"
      "districts:\n  boundaries: " +
      civic::test::rules_fixture::shipped_boundaries() +
      "\n  places:\n    Jongno-gu: {names: [종로구]}\n"
      "    Jongnoo-gu:\n      names: [종노구]\n");
  auto c = civic::classify::classifier::load(f.path());
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error() ==
        "rules.yaml:10: districts.places.Jongnoo-gu: 'Jongnoo-gu' is not a district of "
        "seoul-gu.geojson");

  civic::test::rules_fixture good(
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\n"
      "districts:\n  boundaries: " +
      civic::test::rules_fixture::shipped_boundaries() +
      "\n  places:\n    Jongno-gu: {names: [종로구]}\n");
  CHECK(civic::classify::classifier::load(good.path()).has_value());
}

TEST_CASE("the shipped Seoul rules load and cover every division of the design") {
  auto c = civic::classify::classifier::load(civic::test::rules_fixture::shipped_rules());
  REQUIRE_MESSAGE(c.has_value(), (c.has_value() ? "" : c.error()));
  const std::vector<std::string> expected = {
      "transport", "roads", "environment", "sanitation", "water",  "housing", "welfare",
      "safety",    "parks", "culture",     "economy",    "health", "admin"};
  auto have = (*c)->divisions();
  std::sort(have.begin(), have.end());
  auto want = expected;
  std::sort(want.begin(), want.end());
  CHECK(have == want);
}
