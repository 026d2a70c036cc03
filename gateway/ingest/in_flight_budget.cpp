#include "gateway/ingest/in_flight_budget.hpp"

namespace civic::gateway::ingest {

bool in_flight_budget::take(size_t bytes) {
  size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + bytes > max_bytes_) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

bool in_flight_budget::try_acquire(size_t bytes) {
  if (!take(bytes)) return false;
  messages_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool in_flight_budget::try_acquire_more(size_t bytes) { return take(bytes); }

void in_flight_budget::release(size_t bytes) {
  used_.fetch_sub(bytes, std::memory_order_release);
  messages_.fetch_sub(1, std::memory_order_relaxed);
  if (has_waiters_.load(std::memory_order_acquire)) wake_all();
}

void in_flight_budget::wait(std::function<void()> wake, size_t bytes) {
  {
    std::lock_guard lock(waiters_mutex_);
    waiters_.push_back(std::move(wake));
    has_waiters_.store(true, std::memory_order_release);
  }
  // A release between the caller's failed try_acquire and the registration
  // above would otherwise leave this waiter asleep.
  // (Only when there is room for this waiter: waking it for less would make it
  // try, fail and wait again in a loop.)
  if (used_.load(std::memory_order_acquire) + bytes <= max_bytes_) wake_all();
}

void in_flight_budget::wake_all() {
  std::vector<std::function<void()>> woken;
  {
    std::lock_guard lock(waiters_mutex_);
    woken.swap(waiters_);
    has_waiters_.store(false, std::memory_order_release);
  }
  for (auto& wake : woken) wake();
}

}  // namespace civic::gateway::ingest
