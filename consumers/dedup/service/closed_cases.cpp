#include "consumers/dedup/service/closed_cases.hpp"

#include <algorithm>
#include <chrono>

#include "common/time/rfc3339.hpp"

namespace civic::dedup {

int64_t last_activity_ms(const case_state& c) {
  int64_t at = c.last_seen_ms;
  if (!c.lifecycle.get().updated_at.empty()) {
    if (auto t = parse_rfc3339(c.lifecycle.get().updated_at)) {
      at = std::max<int64_t>(
          at, std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count());
    }
  }
  return at;
}

void closed_cases::put(case_state c) {
  c.closed = true;
  c.signatures.clear();
  c.fingerprints.clear();
  int64_t activity = last_activity_ms(c);
  std::string id = c.id;
  if (auto found = cases_.find(id); found != cases_.end()) {
    by_activity_.erase({found->second.activity_ms, id});
  }
  cases_[id] = entry{std::move(c), activity};
  by_activity_.insert({activity, id});
}

case_state* closed_cases::find(const std::string& id) {
  auto found = cases_.find(id);
  return found == cases_.end() ? nullptr : &found->second.state;
}

void closed_cases::touch(const std::string& id, int64_t activity_ms) {
  auto found = cases_.find(id);
  if (found == cases_.end() || activity_ms <= found->second.activity_ms) return;
  by_activity_.erase({found->second.activity_ms, id});
  found->second.activity_ms = activity_ms;
  by_activity_.insert({activity_ms, id});
}

std::vector<std::string> closed_cases::expire(int64_t now_ms) {
  std::vector<std::string> gone;
  auto drop_first = [&] {
    auto first = by_activity_.begin();
    gone.push_back(first->second);
    cases_.erase(first->second);
    by_activity_.erase(first);
  };
  while (!by_activity_.empty() && by_activity_.begin()->first < now_ms - retention_ms_) {
    drop_first();
  }
  while (cases_.size() > max_cases_) drop_first();
  return gone;
}

void closed_cases::clear() {
  cases_.clear();
  by_activity_.clear();
}

}  // namespace civic::dedup
