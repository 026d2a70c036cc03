#include "gateway/ops/metrics.hpp"

#include "common/error/errc.hpp"

namespace civic::gateway::ops {
namespace {

// Label values for error reasons, in a fixed order so counters can be an array.
constexpr std::array<std::string_view, 19> reason_names{
    "malformed_json", "invalid_utf8",    "too_deep",       "too_large",    "missing_field",
    "unknown_field",  "duplicate_field", "wrong_type",     "too_long",     "too_short",
    "out_of_range",   "invalid_value",   "overloaded",     "unavailable",  "shutting_down",
    "bad_config",     "kafka_error",     "internal_error", "unknown_error"};

size_t reason_index(std::error_code ec) {
  std::string_view name = error_name(ec);
  for (size_t i = 0; i < reason_names.size(); ++i) {
    if (reason_names[i] == name) return i;
  }
  return reason_names.size() - 1;
}

constexpr std::array<std::string_view, 2> protocol_names{"http", "websocket"};
constexpr std::array<std::string_view, 5> close_names{"client", "idle_timeout", "protocol_error",
                                                      "io_error", "shutdown"};

void add_help(std::string& out, std::string_view name, std::string_view type,
              std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void add_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  char number[32];
  std::snprintf(number, sizeof number, "%.17g", value);
  out.append(" ").append(number).append("\n");
}

template <size_t N>
void add_reasons(std::string& out, std::string_view name, std::string_view help,
                 const std::array<std::atomic<uint64_t>, N>& counters) {
  add_help(out, name, "counter", help);
  for (size_t i = 0; i < reason_names.size(); ++i) {
    uint64_t v = counters[i].load(std::memory_order_relaxed);
    if (v) {
      add_sample(out, name, "reason=\"" + std::string(reason_names[i]) + "\"",
                 static_cast<double>(v));
    }
  }
}

}  // namespace

metrics::metrics() { static_assert(reason_names.size() <= reason_count); }

void metrics::stored(std::chrono::steady_clock::duration ack_latency) {
  outcomes_[0].fetch_add(1, std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(ack_latency).count();
  size_t bucket = 0;
  while (bucket < latency_bounds.size() && seconds > latency_bounds[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_micros_.fetch_add(
      static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(ack_latency).count()),
      std::memory_order_relaxed);
}

void metrics::rejected(std::error_code why) {
  outcomes_[1].fetch_add(1, std::memory_order_relaxed);
  rejected_by_reason_[reason_index(why)].fetch_add(1, std::memory_order_relaxed);
}

void metrics::refused(std::error_code why) {
  outcomes_[2].fetch_add(1, std::memory_order_relaxed);
  refused_by_reason_[reason_index(why)].fetch_add(1, std::memory_order_relaxed);
}

void metrics::failed(std::error_code why) {
  outcomes_[3].fetch_add(1, std::memory_order_relaxed);
  failed_by_reason_[reason_index(why)].fetch_add(1, std::memory_order_relaxed);
}

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

std::string metrics::render(const gauges& g) const {
  std::string out;
  out.reserve(4096);
  constexpr std::array<std::string_view, 4> outcome_names{"stored", "rejected", "refused",
                                                          "failed"};
  add_help(out, "gateway_messages_total", "counter",
           "Messages by outcome: stored in Kafka, rejected as bad input, refused for now "
           "(retryable), failed in Kafka.");
  for (size_t i = 0; i < outcome_names.size(); ++i) {
    add_sample(out, "gateway_messages_total", "outcome=\"" + std::string(outcome_names[i]) + "\"",
               static_cast<double>(outcomes_[i].load(std::memory_order_relaxed)));
  }
  add_reasons(out, "gateway_rejected_total", "Bad input by reason (one per limit).",
              rejected_by_reason_);
  add_reasons(out, "gateway_refused_total", "Retryable refusals before Kafka by reason.",
              refused_by_reason_);
  add_reasons(out, "gateway_failed_total", "Messages Kafka did not store, by reason.",
              failed_by_reason_);
  add_help(out, "gateway_acks_total", "counter", "Ack frames and 2xx results sent.");
  add_sample(out, "gateway_acks_total", "", static_cast<double>(acks_.load()));
  add_help(out, "gateway_nacks_total", "counter", "Nack frames and error results sent.");
  add_sample(out, "gateway_nacks_total", "", static_cast<double>(nacks_.load()));
  add_help(out, "gateway_reading_paused_total", "counter",
           "Times a WebSocket stopped reading because its window or the global budget was full.");
  add_sample(out, "gateway_reading_paused_total", "", static_cast<double>(reading_pauses_.load()));

  add_help(out, "gateway_in_flight_messages", "gauge", "Messages read and not yet answered.");
  add_sample(out, "gateway_in_flight_messages", "", static_cast<double>(g.in_flight_messages));
  add_help(out, "gateway_in_flight_bytes", "gauge", "Bytes of messages read and not yet answered.");
  add_sample(out, "gateway_in_flight_bytes", "", static_cast<double>(g.in_flight_bytes));
  add_help(out, "gateway_producer_queue_depth", "gauge",
           "Records handed to the Kafka producer and not yet reported.");
  add_sample(out, "gateway_producer_queue_depth", "", static_cast<double>(g.producer_queue_depth));
  add_help(out, "gateway_kafka_ready", "gauge", "1 when a Kafka broker answered the last check.");
  add_sample(out, "gateway_kafka_ready", "", g.kafka_ready ? 1 : 0);

  add_help(out, "gateway_connections", "gauge", "Open connections by protocol.");
  for (size_t p = 0; p < protocol_names.size(); ++p) {
    add_sample(out, "gateway_connections", "protocol=\"" + std::string(protocol_names[p]) + "\"",
               static_cast<double>(open_connections_[p].load()));
  }
  add_help(out, "gateway_connections_closed_total", "counter",
           "Closed connections by protocol and reason.");
  for (size_t p = 0; p < protocol_names.size(); ++p) {
    for (size_t r = 0; r < close_names.size(); ++r) {
      add_sample(out, "gateway_connections_closed_total",
                 "protocol=\"" + std::string(protocol_names[p]) + "\",reason=\"" +
                     std::string(close_names[r]) + "\"",
                 static_cast<double>(closed_connections_[p * 5 + r].load()));
    }
  }

  add_help(out, "gateway_ack_latency_seconds", "histogram",
           "From receiving a message to Kafka's delivery report.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= latency_bounds.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    char bound[32];
    if (i < latency_bounds.size())
      std::snprintf(bound, sizeof bound, "%g", latency_bounds[i]);
    else
      std::snprintf(bound, sizeof bound, "+Inf");
    add_sample(out, "gateway_ack_latency_seconds_bucket", "le=\"" + std::string(bound) + "\"",
               static_cast<double>(cumulative));
  }
  add_sample(out, "gateway_ack_latency_seconds_sum", "",
             static_cast<double>(latency_sum_micros_.load()) / 1e6);
  add_sample(out, "gateway_ack_latency_seconds_count", "", static_cast<double>(cumulative));
  return out;
}

}  // namespace civic::gateway::ops
