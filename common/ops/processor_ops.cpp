#include "common/ops/processor_ops.hpp"

#include <iterator>
#include <string>

namespace civic::ops {
namespace {

double age_seconds(int64_t steady_ns) {
  if (steady_ns == 0) return -1;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::duration<double>(now - std::chrono::nanoseconds(steady_ns)).count();
}

std::string name(std::string_view prefix, std::string_view suffix) {
  std::string n(prefix);
  n += '_';
  n += suffix;
  return n;
}

}  // namespace

readiness processor_readiness(const kafka::transactional_processor& p,
                              std::chrono::seconds stall_after) {
  const auto& h = p.state();
  const char* reason = nullptr;
  double progress_age = age_seconds(h.last_progress_ns.load());
  if (h.stopping.load()) {
    reason = "draining";
  } else if (h.restoring.load()) {
    reason = "restoring";
  } else if (!h.joined.load()) {
    reason = "joining";
  } else if (progress_age > static_cast<double>(stall_after.count())) {
    reason = "stalled";
  }
  std::string json = R"({"status":")";
  json += reason ? "not_ready" : "ready";
  json += '"';
  if (reason) json += std::string(R"(,"reason":")") + reason + '"';
  json += R"(,"assigned_partitions":)" + std::to_string(h.assigned_partitions.load());
  json += R"(,"aborts_in_a_row":)" + std::to_string(h.aborts_in_a_row.load());
  json += R"(,"transactions_committed":)" + std::to_string(p.stats().transactions_committed.load());
  json += R"(,"seconds_since_progress":)" +
          (progress_age < 0 ? std::string("null") : std::to_string(progress_age));
  json += '}';
  return {reason == nullptr, std::move(json)};
}

void write_processor_metrics(metrics::text_writer& w, std::string_view prefix,
                             const kafka::transactional_processor& p,
                             std::chrono::seconds stall_after) {
  const auto& h = p.state();
  const auto& c = p.stats();

  auto lag_name = name(prefix, "consumer_lag");
  w.family(lag_name, "gauge",
           "Records on an assigned input partition not yet read (end offset minus position).");
  for (const auto& entry : p.lag()) {
    if (entry.lag < 0) continue;
    std::string partition = std::to_string(entry.partition);
    w.sample(lag_name, {{"topic", entry.topic}, {"partition", partition}},
             static_cast<double>(entry.lag));
  }
  auto assigned = name(prefix, "assigned_partitions");
  w.family(assigned, "gauge", "Input partitions assigned to this instance.");
  w.sample(assigned, h.assigned_partitions.load());

  auto transactions = name(prefix, "transactions_total");
  w.family(transactions, "counter", "Kafka transactions, by outcome.");
  w.sample(transactions, {{"outcome", "committed"}},
           static_cast<double>(c.transactions_committed.load()));
  w.sample(transactions, {{"outcome", "aborted"}},
           static_cast<double>(c.transactions_aborted.load()));

  auto records = name(prefix, "records_total");
  w.family(records, "counter", "Records read and written in committed transactions.");
  w.sample(records, {{"direction", "in"}}, static_cast<double>(c.records_in.load()));
  w.sample(records, {{"direction", "out"}}, static_cast<double>(c.records_out.load()));

  auto phases = name(prefix, "transaction_phase_seconds_total");
  w.family(phases, "counter",
           "Time committed transactions spent in each phase: batch_wait (collecting the batch), "
           "transform, produce, offsets (send_offsets_to_transaction), commit; divided by the "
           "committed transactions, the mean of each.");
  constexpr std::string_view phase_names[] = {"batch_wait", "transform", "produce", "offsets",
                                              "commit"};
  static_assert(std::size(phase_names) == kafka::transactional_processor::counters::phases);
  for (std::size_t i = 0; i < std::size(phase_names); ++i) {
    w.sample(phases, {{"phase", phase_names[i]}}, static_cast<double>(c.phase_ns[i].load()) / 1e9);
  }

  auto rebalances = name(prefix, "rebalances_total");
  w.family(rebalances, "counter", "Partition assignments received from the group.");
  w.sample(rebalances, static_cast<double>(c.rebalances.load()));

  auto restore_total = name(prefix, "restore_seconds_total");
  w.family(restore_total, "counter",
           "Time spent restoring state for assigned partitions (all assignments).");
  w.sample(restore_total, h.restore_seconds_total.load());
  auto restores = name(prefix, "restores_total");
  w.family(restores, "counter", "State restores (one per assignment).");
  w.sample(restores, static_cast<double>(h.restores.load()));
  auto last_restore = name(prefix, "last_restore_seconds");
  w.family(last_restore, "gauge", "Duration of the latest state restore.");
  w.sample(last_restore, h.last_restore_seconds.load());

  auto commit_age = name(prefix, "last_commit_age_seconds");
  w.family(commit_age, "gauge", "Seconds since the last committed transaction (-1: none yet).");
  w.sample(commit_age, age_seconds(h.last_commit_ns.load()));

  auto ready = name(prefix, "ready");
  w.family(ready, "gauge", "1 when /readyz answers 200.");
  w.sample(ready, processor_readiness(p, stall_after).ready ? 1 : 0);
}

}  // namespace civic::ops
