#include "gateway/ops/metrics.hpp"

#include "common/error/errc.hpp"

namespace civic::gateway::ops {
namespace {

constexpr std::array<std::string_view, 2> protocol_names{"http", "websocket"};
constexpr std::array<std::string_view, 5> close_names{"client", "idle_timeout", "protocol_error",
                                                      "io_error", "shutdown"};

double value(const std::atomic<uint64_t>& c) {
  return static_cast<double>(c.load(std::memory_order_relaxed));
}

}  // namespace

metrics::by_reason::by_reason() : counts(new counter[error_names().size()]()) {}

void metrics::by_reason::add(std::error_code why) {
  counts[error_index(why)].fetch_add(1, std::memory_order_relaxed);
}

void metrics::by_reason::write(civic::metrics::text_writer& w, std::string_view name) const {
  auto names = error_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (uint64_t v = counts[i].load(std::memory_order_relaxed)) {
      w.sample(name, {{"reason", names[i]}}, static_cast<double>(v));
    }
  }
}

metrics::metrics()
    : ack_latency_({0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60}) {}

void metrics::stored(std::chrono::steady_clock::duration ack_latency) {
  outcomes_[0].fetch_add(1, std::memory_order_relaxed);
  ack_latency_.observe(std::chrono::duration<double>(ack_latency).count());
}

void metrics::rejected(std::error_code why) {
  outcomes_[1].fetch_add(1, std::memory_order_relaxed);
  rejected_.add(why);
}

void metrics::refused(std::error_code why) {
  outcomes_[2].fetch_add(1, std::memory_order_relaxed);
  refused_.add(why);
}

void metrics::failed(std::error_code why) {
  outcomes_[3].fetch_add(1, std::memory_order_relaxed);
  failed_.add(why);
}

void metrics::request_refused(std::error_code why) { requests_refused_.add(why); }

void metrics::auth_refused(std::error_code why) { auth_refused_.add(why); }

void metrics::connection_opened(protocol p) {
  open_connections_[static_cast<size_t>(p)].fetch_add(1, std::memory_order_relaxed);
}

void metrics::connection_closed(protocol p, close_reason why) {
  open_connections_[static_cast<size_t>(p)].fetch_sub(1, std::memory_order_relaxed);
  closed_connections_[static_cast<size_t>(p) * 5 + static_cast<size_t>(why)].fetch_add(
      1, std::memory_order_relaxed);
}

void metrics::connection_upgraded() {
  open_connections_[static_cast<size_t>(protocol::http)].fetch_sub(1, std::memory_order_relaxed);
}

void metrics::write(civic::metrics::text_writer& w, const gauges& g) const {
  constexpr std::array<std::string_view, 4> outcome_names{"stored", "rejected", "refused",
                                                          "failed"};
  w.family("gateway_messages_total", "counter",
           "Messages by outcome: stored in Kafka, rejected as bad input, refused for now "
           "(retryable), failed in Kafka.");
  for (size_t i = 0; i < outcome_names.size(); ++i) {
    w.sample("gateway_messages_total", {{"outcome", outcome_names[i]}}, value(outcomes_[i]));
  }
  w.family("gateway_rejected_total", "counter", "Bad input by reason (one per limit).");
  rejected_.write(w, "gateway_rejected_total");
  w.family("gateway_refused_total", "counter", "Retryable refusals before Kafka by reason.");
  refused_.write(w, "gateway_refused_total");
  w.family("gateway_failed_total", "counter", "Messages Kafka did not store, by reason.");
  failed_.write(w, "gateway_failed_total");
  w.family("gateway_http_refused_total", "counter",
           "HTTP requests refused before routing (framing, header limits), by reason.");
  requests_refused_.write(w, "gateway_http_refused_total");
  w.counter("gateway_auth_accepted_total", "Bridge credentials accepted.", value(auth_accepted_));
  w.family("gateway_auth_refused_total", "counter",
           "Requests refused for their credential (401, 403), by reason.");
  auth_refused_.write(w, "gateway_auth_refused_total");
  w.counter("gateway_traceparent_ignored_total",
            "traceparent headers that were not W3C Trace Context: ignored, never stored.",
            value(trace_ignored_));
  w.counter("gateway_acks_total", "Ack frames and 2xx results sent.", value(acks_));
  w.counter("gateway_nacks_total", "Nack frames and error results sent.", value(nacks_));
  w.counter("gateway_reading_paused_total",
            "Times a WebSocket stopped reading because its window or the global budget was full.",
            value(reading_pauses_));
  w.counter("gateway_http_lingering_discarded_bytes_total",
            "Bytes clients still sent after their connection's last response (a refused body), "
            "read and dropped so that the response is not lost to a TCP reset.",
            value(lingering_bytes_));
  w.counter("gateway_http_lingering_cut_short_total",
            "Lingering closes that hit gateway.http.lingering_close_ms or _bytes with the client "
            "still sending.",
            value(lingering_cut_short_));

  w.gauge("gateway_in_flight_messages", "Messages read and not yet answered.",
          static_cast<double>(g.in_flight_messages));
  w.gauge("gateway_in_flight_bytes", "Bytes of messages read and not yet answered.",
          static_cast<double>(g.in_flight_bytes));
  w.gauge("gateway_producer_queue_depth",
          "Records handed to the Kafka producer and not yet reported.",
          static_cast<double>(g.producer_queue_depth));
  w.gauge("gateway_kafka_ready", "1 when a Kafka broker answered the last check.",
          g.kafka_ready ? 1 : 0);

  w.family("gateway_connections", "gauge", "Open connections by protocol.");
  for (size_t p = 0; p < protocol_names.size(); ++p) {
    w.sample("gateway_connections", {{"protocol", protocol_names[p]}},
             static_cast<double>(open_connections_[p].load(std::memory_order_relaxed)));
  }
  w.family("gateway_connections_closed_total", "counter",
           "Closed connections by protocol and reason.");
  for (size_t p = 0; p < protocol_names.size(); ++p) {
    for (size_t r = 0; r < close_names.size(); ++r) {
      w.sample("gateway_connections_closed_total",
               {{"protocol", protocol_names[p]}, {"reason", close_names[r]}},
               value(closed_connections_[p * 5 + r]));
    }
  }
  w.family("gateway_ack_latency_seconds", "histogram",
           "From receiving a message to Kafka's delivery report.");
  ack_latency_.write(w, "gateway_ack_latency_seconds");
}

std::string metrics::render(const gauges& g) const {
  civic::metrics::text_writer w;
  write(w, g);
  return w.take();
}

}  // namespace civic::gateway::ops
