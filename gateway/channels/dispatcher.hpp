#pragma once
// The mechanism every channel shares: find the adapter, rate-limit, answer
// handshakes, verify, extract, store every message through the ingest pipeline,
// and answer in the channel's format once Kafka has them all.

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/channels/channel.hpp"
#include "gateway/channels/rate_limiter.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/ingest/in_flight_budget.hpp"
#include "gateway/ingest/pipeline.hpp"

namespace civic::gateway::channels {

// What the session must do if the channel has an answer deadline.
struct deadline {
  std::chrono::milliseconds within;
  std::function<response()> late_answer;
};

class dispatcher {
 public:
  dispatcher(adapter_map adapters, ingest::pipeline& pipeline, ingest::in_flight_budget& budget,
             rate_limiter& limiter);

  bool serves(std::string_view channel) const { return entries_.contains(channel); }

  // Calls `done` exactly once with the answer: at once, or from the producer's
  // thread once every message is stored or refused. When the channel has an
  // answer deadline, it is returned so the caller can answer late_answer() first.
  std::optional<deadline> handle(std::string_view channel, const request& req,
                                 std::function<void(response)> done);

  // Prometheus lines: webhook requests by channel and outcome.
  std::string render_metrics() const;

 private:
  enum outcome { accepted, direct, unauthorized, rate_limited, invalid, overloaded, count };
  struct entry {
    std::unique_ptr<adapter> impl;
    std::array<std::atomic<uint64_t>, count> requests{};
    std::atomic<uint64_t> ignored_events{0};
  };
  void count_outcome(entry& e, outcome o) { e.requests[o].fetch_add(1, std::memory_order_relaxed); }

  std::map<std::string, std::unique_ptr<entry>, std::less<>> entries_;
  ingest::pipeline& pipeline_;
  ingest::in_flight_budget& budget_;
  rate_limiter& limiter_;
};

}  // namespace civic::gateway::channels
