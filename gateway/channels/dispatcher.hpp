#pragma once
// The mechanism every channel shares: find the adapter, rate-limit, answer
// handshakes, verify, extract, admit and store every message through the ingest
// pipeline, and answer in the channel's format once Kafka has them all.

#include <array>
#include <atomic>
#include <map>
#include <string>
#include <string_view>

#include "common/metrics/prometheus_text.hpp"
#include "gateway/channels/channel.hpp"
#include "gateway/channels/rate_limiter.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/http/message.hpp"
#include "gateway/ingest/pipeline.hpp"

namespace civic::gateway::channels {

class dispatcher {
 public:
  dispatcher(adapter_map adapters, ingest::pipeline& pipeline, rate_limiter& limiter);

  bool serves(std::string_view channel) const { return entries_.contains(channel); }

  // Answers exactly once through `answer`: at once, or from the producer's
  // thread once every message is stored or refused (or with the channel's late
  // answer when it has a deadline and Kafka is slower).
  void handle(std::string_view channel, const request& req, http::responder answer);

  // Webhook requests by channel and outcome; events acknowledged, not published.
  void write_metrics(civic::metrics::text_writer& w) const;

 private:
  enum outcome { accepted, direct, unauthorized, rate_limited, invalid, refused, count };
  struct entry {
    std::unique_ptr<adapter> impl;
    std::array<std::atomic<uint64_t>, count> requests{};
    std::atomic<uint64_t> ignored_events{0};
  };
  void count_outcome(entry& e, outcome o) { e.requests[o].fetch_add(1, std::memory_order_relaxed); }

  std::map<std::string, std::unique_ptr<entry>, std::less<>> entries_;
  ingest::pipeline& pipeline_;
  rate_limiter& limiter_;
};

}  // namespace civic::gateway::channels
