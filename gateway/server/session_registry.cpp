#include "gateway/server/session_registry.hpp"

#include <vector>

namespace civic::gateway::server {

void session_registry::add(const std::shared_ptr<session>& s) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(s.get(), s);
}

void session_registry::remove(const session* s) {
  std::lock_guard lock(mutex_);
  sessions_.erase(s);
}

void session_registry::shutdown_all() {
  std::vector<std::shared_ptr<session>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->begin_shutdown();
}

size_t session_registry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace civic::gateway::server
