#pragma once
// The global bound on bytes of messages read and not yet answered. Acquiring
// and releasing are lock-free; only a connection that found the budget full
// takes the waiters' lock to be woken when room comes free.

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace civic::gateway::ingest {

class in_flight_budget {
 public:
  explicit in_flight_budget(size_t max_bytes) : max_bytes_(max_bytes) {}

  bool try_acquire(size_t bytes);
  // More bytes for what try_acquire admitted (a body that grows as it is read),
  // not counted as another message; one release(total) frees it all.
  bool try_acquire_more(size_t bytes);
  void release(size_t bytes);
  // `wake` is called once, from a later release() (or at once if room for
  // `bytes` came free meanwhile); the caller then tries again.
  void wait(std::function<void()> wake, size_t bytes = 1);

  size_t used_bytes() const { return used_.load(std::memory_order_relaxed); }
  size_t messages() const { return messages_.load(std::memory_order_relaxed); }
  size_t max_bytes() const { return max_bytes_; }

 private:
  void wake_all();
  bool take(size_t bytes);

  const size_t max_bytes_;
  std::atomic<size_t> used_{0};
  std::atomic<size_t> messages_{0};
  std::atomic<bool> has_waiters_{false};
  std::mutex waiters_mutex_;
  std::vector<std::function<void()>> waiters_;
};

}  // namespace civic::gateway::ingest
