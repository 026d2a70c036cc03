#pragma once
// The open connections, so that shutdown can reach each of them. Touched only
// when a connection opens or closes, never per message.

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace civic::gateway::server {

class session {
 public:
  virtual ~session() = default;
  // Stop taking new messages, answer those in flight, then close. Called from
  // any thread: implementations post to their own strand.
  virtual void begin_shutdown() = 0;
};

class session_registry {
 public:
  void add(const std::shared_ptr<session>& s);
  void remove(const session* s);
  void shutdown_all();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const session*, std::weak_ptr<session>> sessions_;
};

}  // namespace civic::gateway::server
