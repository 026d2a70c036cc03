#pragma once
// What every connection of one load-generator run shares: the plan (when to send,
// when to measure, when to stop), the open-loop schedule, and the tally of answers.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/support/latency_histogram.hpp"
#include "bench/support/message_bodies.hpp"

namespace civic::bench::loadgen {

using clock = std::chrono::steady_clock;

struct plan {
  std::string run_id;
  double rate = 0;    // messages a second over all connections; 0: closed loop
  size_t window = 1;  // messages one connection may have unanswered
  clock::time_point start, measure_from, stop_sending, drain_deadline;
};

// Open loop: the intended send time of every message, one after the other over all
// connections. Latency counts from the intended time, so a sender held up by a slow
// server still charges the wait to the server (no coordinated omission).
class schedule {
 public:
  explicit schedule(const plan& p) : plan_(p) {}
  std::optional<clock::time_point> next();

 private:
  const plan& plan_;
  uint64_t issued_ = 0;
};

struct tally {
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t nacked = 0;
  uint64_t duplicate = 0;      // answered twice
  uint64_t unknown = 0;        // an answer naming no message this run sent
  uint64_t lost = 0;           // sent and never answered before the drain deadline
  uint64_t measured_acks = 0;  // acks that arrived in the measured interval
  uint64_t measured_bytes = 0;
  std::map<std::string, uint64_t> nack_codes;
  std::vector<std::string> errors;  // the first few transport errors
  latency_histogram latency;        // messages intended in the measured interval
  void error(std::string what);
};

// One connection's messages awaiting an answer, by sequence number.
class ledger {
 public:
  enum class verdict { first, duplicate, unknown };
  struct entry {
    clock::time_point intended;
    uint32_t bytes;
  };

  uint64_t next_sequence() const { return next_; }
  uint64_t issue(clock::time_point intended, uint32_t bytes);
  // Removes the message when this is its first answer, and copies its entry to `found`.
  verdict answer(int64_t sequence, entry& found);
  size_t outstanding() const { return waiting_.size(); }

 private:
  uint64_t next_ = 0;
  std::unordered_map<uint64_t, entry> waiting_;
};

// Books one answer arriving now.
void record_answer(const plan& p, tally& t, ledger::verdict v, const ledger::entry& e, bool ack,
                   std::string_view nack_code, clock::time_point now);

}  // namespace civic::bench::loadgen
