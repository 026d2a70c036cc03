#pragma once
// Messages per second per channel, shared by every delivery worker of the
// process (each channel's own limit: Telegram ~30/s, Slack ~1/s, ...). A
// token bucket with one second of burst; wait() says how long to wait first.

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace civic::answers {

class rate_gate {
 public:
  void set_rate(const std::string& channel, double per_second) {
    std::lock_guard lock(mutex_);
    buckets_[channel] = bucket{per_second, std::max(per_second, 1.0), clock::now()};
  }

  // Takes one token; returns how long to wait before using it (0: at once).
  std::chrono::milliseconds take(const std::string& channel) {
    std::lock_guard lock(mutex_);
    auto found = buckets_.find(channel);
    if (found == buckets_.end() || found->second.rate <= 0) return std::chrono::milliseconds(0);
    bucket& b = found->second;
    auto now = clock::now();
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(std::max(b.rate, 1.0), b.tokens + elapsed * b.rate);
    b.updated = now;
    b.tokens -= 1;
    if (b.tokens >= 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<int64_t>(-b.tokens / b.rate * 1000) + 1);
  }

 private:
  using clock = std::chrono::steady_clock;
  struct bucket {
    double rate = 0;
    double tokens = 0;
    clock::time_point updated;
  };
  std::mutex mutex_;
  std::map<std::string, bucket> buckets_;
};

}  // namespace civic::answers
