#pragma once
// The gateway's Prometheus metrics: lock-free counters updated on the data
// path, rendered in the text exposition format on GET /metrics.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace civic::gateway::ops {

enum class protocol { http, websocket };
enum class close_reason { client, idle_timeout, protocol_error, io_error, shutdown };

// Gauges read at render time from the parts that own them.
struct gauges {
  int64_t in_flight_messages = 0;
  int64_t in_flight_bytes = 0;
  int64_t producer_queue_depth = 0;
  bool kafka_ready = false;
};

class metrics {
 public:
  metrics();

  void stored(std::chrono::steady_clock::duration ack_latency);
  void rejected(std::error_code why);  // bad input: permanent
  void refused(std::error_code why);   // not taken for now: retryable
  void failed(std::error_code why);    // Kafka did not store it
  void ack_sent() { acks_.fetch_add(1, std::memory_order_relaxed); }
  void nack_sent() { nacks_.fetch_add(1, std::memory_order_relaxed); }
  void reading_paused() { reading_pauses_.fetch_add(1, std::memory_order_relaxed); }
  void connection_opened(protocol p);
  void connection_closed(protocol p, close_reason why);
  // An HTTP connection that became a WebSocket: no longer counted as HTTP.
  void connection_upgraded();

  std::string render(const gauges& g) const;

 private:
  static constexpr size_t reason_count = 20;
  static constexpr std::array<double, 15> latency_bounds{
      0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60};
  using counter = std::atomic<uint64_t>;

  std::array<counter, 4> outcomes_{};  // stored, rejected, refused, failed
  std::array<counter, reason_count> rejected_by_reason_{};
  std::array<counter, reason_count> refused_by_reason_{};
  std::array<counter, reason_count> failed_by_reason_{};
  counter acks_{0}, nacks_{0}, reading_pauses_{0};
  std::array<counter, latency_bounds.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_micros_{0};
  std::array<std::atomic<int64_t>, 2> open_connections_{};
  std::array<counter, 2 * 5> closed_connections_{};
};

}  // namespace civic::gateway::ops
