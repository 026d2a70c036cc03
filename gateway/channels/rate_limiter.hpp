#pragma once
// Token buckets per channel and per client address. Sharded locks: no global
// lock on the path; the per-address table is bounded and forgets idle clients.

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace civic::gateway::channels {

struct rate {
  double per_second = 0;  // 0: unlimited
  double burst = 0;
};

class rate_limiter {
 public:
  rate_limiter(rate per_channel, rate per_client)
      : per_channel_(per_channel), per_client_(per_client) {}

  // Takes a token from the channel's bucket and the client's; false when either is empty.
  bool allow(std::string_view channel, std::string_view client,
             std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  struct bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  struct shard {
    std::mutex mutex;
    std::unordered_map<std::string, bucket> buckets;
  };
  static constexpr size_t shard_count = 16;
  static constexpr size_t max_clients_per_shard = 4096;

  bool take(shard& s, std::string_view key, rate r, std::chrono::steady_clock::time_point now);

  rate per_channel_, per_client_;
  std::array<shard, shard_count> channel_shards_;
  std::array<shard, shard_count> client_shards_;
};

}  // namespace civic::gateway::channels
