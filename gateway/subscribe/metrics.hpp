#pragma once
// The subscribe module's counters (atomics on the data path) and their
// Prometheus families, written with common/metrics at scrape time.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace civic::metrics {
class text_writer;
}

namespace civic::gateway::subscribe {

class hub;
class history_readers;

enum class resume_outcome { memory, kafka, not_recovered };
enum class not_recovered_reason { older_than_retention, topic_recreated, stream_mismatch, other };
enum class auth_refusal { missing, invalid, expired, forbidden, origin };
enum class disconnect_reason { client, slow, expired, shutdown, protocol, try_later };

class subscribe_metrics {
 public:
  void subscribed(std::string_view from);  // now, snapshot, position
  void resumed(resume_outcome o) { count(resumes_, static_cast<size_t>(o)); }
  void not_recovered(not_recovered_reason r) { count(not_recovered_, static_cast<size_t>(r)); }
  void refused(auth_refusal r) { count(refusals_, static_cast<size_t>(r)); }
  void disconnected(disconnect_reason r) { count(disconnects_, static_cast<size_t>(r)); }
  void delivered(uint64_t events, uint64_t bytes) {
    deliveries_.fetch_add(events, std::memory_order_relaxed);
    delivered_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void history_failed() { history_failed_.fetch_add(1, std::memory_order_relaxed); }

  // Every family, with the hub's and the history readers' gauges.
  void write(metrics::text_writer& w, const hub& h, const history_readers* history) const;

 private:
  template <size_t N>
  static void count(std::array<std::atomic<uint64_t>, N>& a, size_t i) {
    a[i].fetch_add(1, std::memory_order_relaxed);
  }
  std::array<std::atomic<uint64_t>, 3> subscriptions_{};
  std::array<std::atomic<uint64_t>, 3> resumes_{};
  std::array<std::atomic<uint64_t>, 4> not_recovered_{};
  std::array<std::atomic<uint64_t>, 5> refusals_{};
  std::array<std::atomic<uint64_t>, 6> disconnects_{};
  std::atomic<uint64_t> deliveries_{0}, delivered_bytes_{0}, history_failed_{0};
  std::atomic<int64_t> connections_{0};
};

}  // namespace civic::gateway::subscribe
