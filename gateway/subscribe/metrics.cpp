#include "gateway/subscribe/metrics.hpp"

#include "common/metrics/prometheus_text.hpp"
#include "gateway/subscribe/history.hpp"
#include "gateway/subscribe/hub.hpp"

namespace civic::gateway::subscribe {
namespace {

constexpr std::array<std::string_view, 3> from_names{"now", "snapshot", "position"};
constexpr std::array<std::string_view, 3> resume_names{"memory", "kafka", "not_recovered"};
constexpr std::array<std::string_view, 4> reason_names{
    "position_older_than_retention", "topic_recreated", "stream_mismatch", "other"};
constexpr std::array<std::string_view, 5> refusal_names{"missing", "invalid", "expired",
                                                        "forbidden", "origin"};
constexpr std::array<std::string_view, 6> disconnect_names{"client",   "slow",     "expired",
                                                           "shutdown", "protocol", "try_later"};

template <size_t N, size_t M>
void by_label(metrics::text_writer& w, std::string_view name, std::string_view label,
              const std::array<std::string_view, N>& names,
              const std::array<std::atomic<uint64_t>, M>& values) {
  static_assert(N == M);
  for (size_t i = 0; i < N; ++i) {
    w.sample(name, {{label, names[i]}},
             static_cast<double>(values[i].load(std::memory_order_relaxed)));
  }
}

}  // namespace

void subscribe_metrics::subscribed(std::string_view from) {
  for (size_t i = 0; i < from_names.size(); ++i) {
    if (from_names[i] == from) return count(subscriptions_, i);
  }
}

void subscribe_metrics::write(metrics::text_writer& w, const hub& h,
                              const history_readers* history) const {
  auto stats = h.snapshot_stats();
  w.gauge("gateway_subscribe_connections", "Open /v1/subscribe WebSockets.",
          static_cast<double>(connections_.load()));
  w.family("gateway_subscribers", "gauge", "Subscriptions attached to a division's stream.");
  for (const auto& [division, n] : stats.subscribers_by_division) {
    w.sample("gateway_subscribers", {{"division", division}}, static_cast<double>(n));
  }
  w.family("gateway_subscriptions_total", "counter", "Subscriptions started, by their from.");
  by_label(w, "gateway_subscriptions_total", "from", from_names, subscriptions_);
  w.counter("gateway_subscribe_deliveries_total",
            "Events (messages and cases, replay included) written to subscribers.",
            static_cast<double>(deliveries_.load()));
  w.counter("gateway_subscribe_delivered_bytes_total", "Bytes of event frames written.",
            static_cast<double>(delivered_bytes_.load()));
  w.family("gateway_subscribe_resumes_total", "counter",
           "Resumes from a position: from memory, read back from Kafka, or not recovered.");
  by_label(w, "gateway_subscribe_resumes_total", "outcome", resume_names, resumes_);
  w.family("gateway_subscribe_not_recovered_total", "counter", "Resumes refused, by reason.");
  by_label(w, "gateway_subscribe_not_recovered_total", "reason", reason_names, not_recovered_);
  w.family("gateway_subscribe_auth_refused_total", "counter",
           "Upgrades and subscriptions refused: no token, invalid, expired, division not "
           "granted, Origin not allowed.");
  by_label(w, "gateway_subscribe_auth_refused_total", "reason", refusal_names, refusals_);
  w.family("gateway_subscribe_disconnects_total", "counter",
           "Subscriber connections ended, by reason (slow: over its queue bound).");
  by_label(w, "gateway_subscribe_disconnects_total", "reason", disconnect_names, disconnects_);
  w.counter("gateway_subscribe_history_failed_total",
            "Replays from Kafka that did not finish in time.",
            static_cast<double>(history_failed_.load()));
  w.gauge("gateway_subscribe_history_waiting", "Replays from Kafka waiting for a reader.",
          history ? static_cast<double>(history->waiting()) : 0.0);
  w.counter("gateway_subscribe_records_total", "Kafka records read by the live reader.",
            static_cast<double>(stats.records));
  w.counter("gateway_subscribe_unreadable_records_total",
            "Records that are not JSON objects (skipped; the position moves past them).",
            static_cast<double>(stats.unreadable));
  w.gauge("gateway_subscribe_window_bytes", "Memory held by the streams' windows.",
          static_cast<double>(stats.window_bytes));
  w.gauge("gateway_subscribe_window_events", "Events held by the streams' windows.",
          static_cast<double>(stats.window_events));
  w.gauge("gateway_subscribe_open_cases",
          "Open cases held for snapshots (a case of two divisions counts twice).",
          static_cast<double>(stats.open_cases));
  w.gauge("gateway_subscribe_cases_loaded", "1 once feedback.cases was read to its end.",
          h.cases_loaded() ? 1.0 : 0.0);
}

}  // namespace civic::gateway::subscribe
