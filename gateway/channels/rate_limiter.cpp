#include "gateway/channels/rate_limiter.hpp"

#include <algorithm>
#include <functional>

namespace civic::gateway::channels {

bool rate_limiter::take(shard& s, std::string_view key, rate r,
                        std::chrono::steady_clock::time_point now) {
  if (r.per_second <= 0) return true;
  std::lock_guard lock(s.mutex);
  auto it = s.buckets.find(std::string(key));
  if (it == s.buckets.end()) {
    if (s.buckets.size() >= max_clients_per_shard) {
      // Forget clients whose bucket has refilled: they lose nothing by it.
      auto full_after = std::chrono::duration<double>(r.burst / r.per_second);
      std::erase_if(s.buckets,
                    [&](const auto& entry) { return now - entry.second.refilled >= full_after; });
      if (s.buckets.size() >= max_clients_per_shard) s.buckets.erase(s.buckets.begin());
    }
    it = s.buckets.emplace(std::string(key), bucket{r.burst, now}).first;
  }
  bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.refilled).count();
  b.tokens = std::min(r.burst, b.tokens + elapsed * r.per_second);
  b.refilled = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool rate_limiter::allow(std::string_view channel, std::string_view client,
                         std::chrono::steady_clock::time_point now) {
  auto& client_shard = client_shards_[std::hash<std::string_view>{}(client) % shard_count];
  if (!take(client_shard, client, per_client_, now)) return false;
  auto& channel_shard = channel_shards_[std::hash<std::string_view>{}(channel) % shard_count];
  return take(channel_shard, channel, per_channel_, now);
}

}  // namespace civic::gateway::channels
