#include "consumers/router/rules_reloader.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "../classify/rules_fixture.hpp"
#include "common/log/log.hpp"

using civic::router::rules_reloader;
using namespace std::chrono_literals;

namespace {

constexpr auto interval = 100ms;

std::string rules(std::string_view version, std::string_view extra = "") {
  return "version: \"" + std::string(version) +
         "\"\ndivisions:\n  water:\n    rules:\n      - {id: water.leak, weight: 3, terms: "
         "[누수]}\n" +
         std::string(extra);
}
const std::string urgency =
    "urgency:\n  adds_division: water\n  rules:\n    - {id: urgency.burst, terms: [수도관 파열]}\n";

// Each write gets its own modification time, whatever the file system's clock
// granularity, as a real edit seconds apart would.
void write(const civic::test::rules_fixture& f, std::string_view yaml) {
  static auto stamp = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  f.write(yaml);
  stamp += 1s;
  std::filesystem::last_write_time(f.path(), stamp);
}

// Lets the next current() run its file check.
void next_check() { std::this_thread::sleep_for(interval + 20ms); }

struct captured_log {
  captured_log() {
    civic::log::set_sink([this](std::string_view line) { lines.emplace_back(line); });
  }
  ~captured_log() { civic::log::set_sink(nullptr); }
  bool has(std::string_view text) const {
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> lines;
};

}  // namespace

TEST_CASE("a changed file is loaded only after it stayed the same for one full check interval") {
  captured_log log;
  civic::test::rules_fixture f(rules("v1", urgency));
  auto r = rules_reloader::create(f.path(), interval);
  REQUIRE(r.has_value());
  CHECK((*r)->current()->rules_version() == "v1");

  // An editor truncated the file and has written a valid prefix so far: not loaded yet.
  write(f, rules("v2"));
  next_check();
  CHECK((*r)->current()->rules_version() == "v1");
  // It finishes writing before the next check: the change restarts the wait.
  write(f, rules("v2", urgency));
  next_check();
  CHECK((*r)->current()->rules_version() == "v1");
  // Unchanged for a whole interval: now it is loaded.
  next_check();
  CHECK((*r)->current()->rules_version() == "v2");
  CHECK((*r)->reloads() == 1);
  CHECK((*r)->refused() == 0);

  // Without a change nothing is reloaded.
  next_check();
  CHECK((*r)->current()->rules_version() == "v2");
  CHECK((*r)->reloads() == 1);
}

TEST_CASE("a broken file is refused with its line and the rules in force stay") {
  captured_log log;
  civic::test::rules_fixture f(rules("v1"));
  auto r = rules_reloader::create(f.path(), interval);
  REQUIRE(r.has_value());
  write(f,
        "version: \"v2\"\ndivisions:\n  water:\n    rules:\n      - {id: water.leak, terms: [누수, "
        "물]}\n");
  next_check();
  (*r)->current();
  next_check();
  CHECK((*r)->current()->rules_version() == "v1");
  CHECK((*r)->refused() == 1);
  CHECK(log.has("router.rules.refused"));
  CHECK(log.has("rules.yaml:5: divisions.water.rules[0].terms[1]: '물'"));
  // Not retried until it changes again.
  next_check();
  (*r)->current();
  CHECK((*r)->refused() == 1);
  // A fixed file is then accepted.
  write(f, rules("v3"));
  next_check();
  (*r)->current();
  next_check();
  CHECK((*r)->current()->rules_version() == "v3");
}

TEST_CASE("SIGHUP loads at once; with no check interval only SIGHUP loads") {
  captured_log log;
  civic::test::rules_fixture f(rules("v1"));
  auto r = rules_reloader::create(f.path(), 0ms);
  REQUIRE(r.has_value());
  write(f, rules("v2"));
  next_check();
  next_check();
  CHECK((*r)->current()->rules_version() == "v1");
  (*r)->request_reload();
  CHECK((*r)->current()->rules_version() == "v2");
  CHECK(log.has("\"cause\":\"signal\""));
}

TEST_CASE(
    "rules a check refuses (e.g. a division without a topic) are refused at start and on reload") {
  captured_log log;
  civic::test::rules_fixture f(rules("v1"));
  auto refuse_v2 = [](const civic::classify::classifier& c) {
    return c.rules_version() == "v2" ? std::string("no topic for: division.water") : std::string();
  };
  auto r = rules_reloader::create(f.path(), 0ms, refuse_v2);
  REQUIRE(r.has_value());
  write(f, rules("v2"));
  (*r)->request_reload();
  CHECK((*r)->current()->rules_version() == "v1");
  CHECK(log.has("no topic for: division.water"));

  civic::test::rules_fixture g(rules("v2"));
  auto refused = rules_reloader::create(g.path(), 0ms, refuse_v2);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().ends_with("no topic for: division.water"));
}
