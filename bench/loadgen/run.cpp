#include "bench/loadgen/run.hpp"

namespace civic::bench::loadgen {

std::optional<clock::time_point> schedule::next() {
  auto offset = std::chrono::duration<double>(static_cast<double>(issued_) / plan_.rate);
  auto at = plan_.start + std::chrono::duration_cast<clock::duration>(offset);
  if (at >= plan_.stop_sending) return std::nullopt;
  ++issued_;
  return at;
}

void tally::error(std::string what) {
  if (errors.size() < 5) errors.push_back(std::move(what));
}

uint64_t ledger::issue(clock::time_point intended, uint32_t bytes) {
  waiting_.emplace(next_, entry{intended, bytes});
  return next_++;
}

ledger::verdict ledger::answer(int64_t sequence, entry& found) {
  if (sequence < 0 || static_cast<uint64_t>(sequence) >= next_) return verdict::unknown;
  auto it = waiting_.find(static_cast<uint64_t>(sequence));
  if (it == waiting_.end()) return verdict::duplicate;
  found = it->second;
  waiting_.erase(it);
  return verdict::first;
}

void record_answer(const plan& p, tally& t, ledger::verdict v, const ledger::entry& e, bool ack,
                   std::string_view nack_code, clock::time_point now) {
  if (v == ledger::verdict::duplicate) {
    ++t.duplicate;
    return;
  }
  if (v == ledger::verdict::unknown) {
    ++t.unknown;
    return;
  }
  if (!ack) {
    ++t.nacked;
    ++t.nack_codes[std::string(nack_code)];
    return;
  }
  ++t.acked;
  if (now >= p.measure_from && now < p.stop_sending) {
    ++t.measured_acks;
    t.measured_bytes += e.bytes;
  }
  if (e.intended >= p.measure_from && e.intended < p.stop_sending) {
    t.latency.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - e.intended).count());
  }
}

}  // namespace civic::bench::loadgen
