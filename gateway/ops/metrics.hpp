#pragma once
// The gateway's Prometheus metrics: lock-free counters updated on the data
// path, written with the project's one text writer on GET /metrics. Error
// reasons are labelled with their names from common/error/errc.cpp, so a new
// error is counted without a change here.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "common/metrics/prometheus_text.hpp"

namespace civic::gateway::ops {

enum class protocol { http, websocket };
enum class close_reason { client, idle_timeout, protocol_error, io_error, shutdown };

// Gauges read at scrape time from the parts that own them.
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
  // Bytes a client was still sending after its connection's last response, read
  // and dropped before the close (lingering close), and closes that ran out of time
  // or bytes with more still coming.
  void lingering_discarded(size_t bytes) {
    lingering_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void lingering_cut_short() { lingering_cut_short_.fetch_add(1, std::memory_order_relaxed); }
  // A traceparent header that is not W3C Trace Context: ignored, not stored.
  void trace_context_ignored() { trace_ignored_.fetch_add(1, std::memory_order_relaxed); }
  // An HTTP request refused before routing (bad framing, header limits).
  void request_refused(std::error_code why);
  // Bridge credentials: accepted, or refused (unauthenticated, invalid_credential,
  // credential_expired, forbidden).
  void auth_accepted() { auth_accepted_.fetch_add(1, std::memory_order_relaxed); }
  void auth_refused(std::error_code why);
  void connection_opened(protocol p);
  void connection_closed(protocol p, close_reason why);
  // An HTTP connection that became a WebSocket: no longer counted as HTTP.
  void connection_upgraded();

  void write(civic::metrics::text_writer& w, const gauges& g) const;
  std::string render(const gauges& g) const;

 private:
  using counter = std::atomic<uint64_t>;
  // One counter per name in civic::error_names().
  struct by_reason {
    by_reason();
    void add(std::error_code why);
    void write(civic::metrics::text_writer& w, std::string_view name) const;
    std::unique_ptr<counter[]> counts;
  };

  std::array<counter, 4> outcomes_{};  // stored, rejected, refused, failed
  by_reason rejected_, refused_, failed_, requests_refused_, auth_refused_;
  counter acks_{0}, nacks_{0}, reading_pauses_{0}, trace_ignored_{0}, auth_accepted_{0};
  counter lingering_bytes_{0}, lingering_cut_short_{0};
  civic::metrics::histogram ack_latency_;
  std::array<std::atomic<int64_t>, 2> open_connections_{};
  std::array<counter, 2 * 5> closed_connections_{};
};

}  // namespace civic::gateway::ops
