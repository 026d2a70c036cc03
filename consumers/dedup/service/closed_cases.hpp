#pragma once
// Cases closed to new reports (no report joined within the window) whose
// lifecycle goes on: the division may still change the status, answer, or
// citizens may still support it, often days later. Kept per partition without
// their matching state (signatures, fingerprints), in memory and on the
// changelog, until nothing happened to them for the retention time; beyond
// max_cases, the least recently active leave first.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "consumers/dedup/case_state.hpp"

namespace civic::dedup {

class closed_cases {
 public:
  closed_cases(int64_t retention_ms, size_t max_cases)
      : retention_ms_(retention_ms), max_cases_(max_cases) {}

  // Takes a case just closed (or restored as closed), dropping its matching state.
  void put(case_state c);
  // nullptr when the case is not held.
  case_state* find(const std::string& id);
  // After the lifecycle of a held case changed at `activity_ms`.
  void touch(const std::string& id, int64_t activity_ms);
  // Removes and returns the ids of cases inactive for the retention before now_ms,
  // and the least recently active beyond max_cases.
  std::vector<std::string> expire(int64_t now_ms);

  size_t size() const { return cases_.size(); }
  void clear();

 private:
  struct entry {
    case_state state;
    int64_t activity_ms = 0;
  };
  int64_t retention_ms_;
  size_t max_cases_;
  std::map<std::string, entry> cases_;
  std::set<std::pair<int64_t, std::string>> by_activity_;
};

// The last time anything happened to a case: its latest report or update.
int64_t last_activity_ms(const case_state& c);

}  // namespace civic::dedup
