#pragma once
// A delivery worker's view of its ledger partition: every entry read (its own
// writes come back too) leaves the jobs still to do, in ledger order, the
// per-update counts the summaries need, and which recipients' single-use reply
// handles were spent. Free of Kafka so the tests feed it records directly.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/record.hpp"
#include "consumers/answers/ledger.hpp"
#include "consumers/answers/options.hpp"

namespace civic::answers {

struct book_counters {
  uint64_t unreadable = 0;  // ledger records that did not read (skipped, logged)
  uint64_t finished = 0;
};

class delivery_book {
 public:
  explicit delivery_book(std::chrono::milliseconds summary_interval)
      : summary_interval_(summary_interval) {}

  // A ledger record, in partition order; value nullopt is a tombstone.
  void apply(std::string_view key, std::optional<std::string_view> value, int64_t now_ms);
  // Called once the partition was read to its end: forgets what only the past needed.
  void restored();

  // The next job (pending, or attempting after an interruption), oldest first.
  std::optional<ledger_entry> next() const;
  bool handle_usable(const ledger_entry& e) const;
  // The records to commit with a finished (done) entry: the ledger state, the
  // outcome on feedback.deliveries and, when due, the update's summary.
  std::vector<kafka::record> finish(const ledger_entry& done, const topics& names,
                                    int32_t partition, std::chrono::steady_clock::time_point now);
  // An attempt in `mode` is recorded for `e` (spends its reply handle when "reply").
  void attempting(const ledger_entry& e, int64_t now_ms);

  size_t jobs() const { return queue_.size(); }
  size_t updates_in_progress() const { return updates_.size(); }
  const book_counters& counters() const { return counters_; }

 private:
  struct update_counts {
    std::string case_id, locality;
    uint64_t recipients = 0;
    uint64_t done = 0;
    std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>> by_channel;
    std::optional<std::chrono::steady_clock::time_point> last_summary;
  };
  void count_done(const ledger_entry& e);
  void spend_handle(const ledger_entry& e, int64_t at_ms);

  std::chrono::milliseconds summary_interval_;
  bool restoring_ = true;
  uint64_t next_sequence_ = 0;
  std::map<std::string, std::pair<uint64_t, ledger_entry>> open_;  // key -> (sequence, entry)
  std::map<uint64_t, std::string> queue_;                          // sequence -> key
  std::set<std::string> finished_locally_;  // done here, its record not read back yet
  std::map<std::string, update_counts> updates_;
  std::map<std::string, int64_t> spent_handles_;  // case/recipient -> when
  std::deque<std::pair<int64_t, std::string>> spent_order_;
  book_counters counters_;
};

}  // namespace civic::answers
