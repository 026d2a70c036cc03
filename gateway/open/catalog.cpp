#include "gateway/open/catalog.hpp"

#include <algorithm>
#include <mutex>

#include "common/log/log.hpp"

namespace civic::gateway::open {

void catalog::apply(std::string_view key, std::optional<std::string_view> value) {
  std::optional<public_case> parsed;
  if (value) {
    auto c = public_case_from_json(*value, id_key_);
    if (!c) {
      log::warn("gateway.open.unreadable_case", {{"reason", c.error()}});
      return;
    }
    parsed = std::move(*c);
  }
  std::unique_lock lock(mutex_);
  {
    std::lock_guard stale(sorted_mutex_);
    stale_ = true;
  }
  std::string id(key);
  if (auto old = cases_.find(id); old != cases_.end()) {
    by_public_.erase(old->second.public_id);
    cases_.erase(old);
  }
  if (!parsed) return;
  by_public_[parsed->public_id] = id;
  cases_.emplace(std::move(id), std::move(*parsed));
}

std::shared_ptr<const std::vector<public_case>> catalog::snapshot() const {
  std::shared_lock lock(mutex_);
  std::lock_guard cached(sorted_mutex_);
  auto now = std::chrono::steady_clock::now();
  if (sorted_ && (!stale_ || now - sorted_at_ < max_staleness_)) return sorted_;
  auto out = std::make_shared<std::vector<public_case>>();
  out->reserve(cases_.size());
  for (const auto& [id, c] : cases_) out->push_back(c);
  std::sort(out->begin(), out->end(), [](const public_case& a, const public_case& b) {
    if (a.opened_ms != b.opened_ms) return a.opened_ms > b.opened_ms;
    return a.public_id < b.public_id;
  });
  sorted_ = std::move(out);
  stale_ = false;
  sorted_at_ = now;
  return sorted_;
}

std::optional<public_case> catalog::find(std::string_view public_id) const {
  std::shared_lock lock(mutex_);
  auto id = by_public_.find(std::string(public_id));
  if (id == by_public_.end()) return std::nullopt;
  return cases_.at(id->second);
}

size_t catalog::size() const {
  std::shared_lock lock(mutex_);
  return cases_.size();
}

}  // namespace civic::gateway::open
