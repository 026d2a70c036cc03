#pragma once
// One division's stream: every record of division.<id> and every case of
// feedback.cases that carries the division, in the order the gateway's one
// Kafka reader met them, each with the position after it. It keeps:
// - a window of recent events bounded in bytes (resumes from memory);
// - the open cases of the division (snapshots), taken atomically with the head
//   position, so a snapshot is exactly "the state at position P";
// - a seat per subscriber: a cursor into the window. A subscriber's queue is the
//   window between its cursor and the head, so subscribers copy nothing (each
//   event's frame is built once and its bytes are written to every socket) and
//   the stream's memory does not grow with their number; one that falls more
//   than its queue bound behind is marked slow (it is then disconnected with its
//   position and resumes), and the reader never waits for anyone.
//
// Seats live in one vector (a seat id names its slot), so a take or a wake finds
// its seat without a lookup and a sweep reads them in a row. A new event wakes
// the seats that caught up, in batches: one task on the I/O threads wakes many
// subscribers (subscriber_link::wake_batch) instead of one post each.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/subscribe/event.hpp"

namespace civic::gateway::subscribe {

// What a stream calls to tell a subscriber there is something to take (new
// events, or it became slow).
class subscriber_link {
 public:
  using batch = std::vector<std::shared_ptr<subscriber_link>>;
  virtual ~subscriber_link() = default;
  // From any thread, also while the stream's lock is held: post, never work.
  virtual void wake() noexcept = 0;
  // Wakes every link of `links` (this one among them) from one task it posts to
  // its I/O threads, which calls their wake_here(); false: it cannot (no I/O
  // threads known), `links` is left as it was and the caller wakes each itself.
  // From the reader's thread, no lock held.
  virtual bool wake_batch(batch& links) noexcept {
    (void)links;
    return false;
  }
  // From a task wake_batch posted, no lock held: may take and write now.
  virtual void wake_here() noexcept { wake(); }
};

// Links woken by one task of wake_batch: large enough that a record for 10,000
// subscribers is a few hundred tasks, small enough that both I/O threads share them.
inline constexpr size_t wake_batch_size = 64;

struct stream_limits {
  size_t window_bytes = 16 * 1024 * 1024;
  size_t queue_events = 4096;            // per subscriber
  size_t queue_bytes = 4 * 1024 * 1024;  // per subscriber
  size_t max_open_cases = 50'000;
};

// A partition range the window no longer holds: read it from Kafka.
struct kafka_range {
  source from = source::division;
  int32_t partition = 0;
  partition_mark start;  // deliver from start.next on; start.anchor checks the record before it
  int64_t end = 0;       // exclusive: the window holds everything from here
  uint32_t end_anchor = 0;
};

class stream {
 public:
  using seat_id = uint64_t;

  stream(std::string division, std::string topic, uint32_t id, stream_limits limits);

  const std::string& division() const { return division_; }
  const std::string& topic() const { return topic_; }
  uint32_t id() const { return id_; }

  // --- the reader's side -------------------------------------------------
  // A partition's first known mark (at its first record or its end); also grows the vectors.
  void start_partition(source from, int32_t partition, int64_t next);
  // Both the division partitions and every cases partition have started.
  bool ready() const;
  void set_case_partitions(size_t n);
  void set_division_partitions(size_t n);
  // A routed message of this division.
  void append_message(std::string_view compact_value, int32_t partition, int64_t offset,
                      uint32_t anchor);
  // A case that carries this division; snapshot_frame is null when it is closed.
  void append_case(std::string_view compact_value, int32_t partition, int64_t offset,
                   uint32_t anchor, const std::string& case_id,
                   std::shared_ptr<const std::string> snapshot_frame);
  // A record this stream does not deliver (a case of another division, a record
  // that is not JSON): the position moves, nothing is delivered.
  void pass(source from, int32_t partition, int64_t offset, uint32_t anchor);
  // Marks subscribers over their queue bound slow (the reader calls it periodically).
  // The bound is measured against what had arrived by the previous sweep, so a
  // subscriber always has one sweep interval to take a burst the reader appended
  // at once (a fetch of many records) before it can count as slow; one whose
  // events left the window is slow at once.
  void sweep();

  // --- the subscribers' side ----------------------------------------------
  struct snapshot {
    position at;
    std::vector<std::shared_ptr<const std::string>> cases;  // newest activity first
    seat_id seat = 0;
  };
  snapshot attach_snapshot(std::weak_ptr<subscriber_link> link);
  seat_id attach_now(std::weak_ptr<subscriber_link> link, position& at);

  struct join_result {
    enum class outcome { joined, needs_kafka, mismatch } result = outcome::joined;
    seat_id seat = 0;
    uint64_t head_seq = 0;            // joined: events up to this one are replay
    std::vector<kafka_range> ranges;  // needs_kafka
    std::string reason;               // mismatch: why the position cannot be resumed
  };
  // Resumes after `from`: joined (everything after it is in the window or still
  // to come), or the ranges to read from Kafka first (then call again with the
  // position reached), or a mismatch (another stream's position, or the record
  // before it is not the one the position names: the topic was recreated).
  // A position ahead of what this stream has read (another gateway's reader may
  // be ahead of this one; a topic recreated shorter, or a forged position, is
  // past Kafka's end) gets an empty range per such partition, which the history
  // reader checks against the partition's end offset and the record before the
  // position; `ahead_verified` (the call after that check) joins it.
  join_result attach_from(std::weak_ptr<subscriber_link> link, const position& from,
                          bool ahead_verified = false);

  struct item {
    event_ptr e;
    std::string reframed;  // non-empty: send this instead of e->frame (re-positioned)
    std::string_view frame() const {
      return reframed.empty() ? std::string_view(e->frame) : reframed;
    }
  };
  struct taken {
    std::vector<item> items;
    bool slow = false;    // over the queue bound or overtaken by the window: disconnect
    position last;        // the position after the last item (valid when items non-empty)
    uint64_t cursor = 0;  // the seq of the next event after these
    bool parked = false;  // caught up with the head: the seat is woken by the next event
  };
  // Up to max_bytes (at least one event) from the seat's cursor. A seat that
  // reaches the head (nothing more to take) is registered for a wake(), so its
  // owner need not ask again until woken. The second form reuses `out`'s memory.
  taken take(seat_id seat, size_t max_bytes);
  void take(seat_id seat, size_t max_bytes, taken& out);
  void detach(seat_id seat);
  // Marked slow by sweep() (or overtaken by the window), while its owner was busy writing.
  bool is_slow(seat_id seat) const;

  position head() const;
  size_t subscribers() const;
  size_t window_bytes() const;
  size_t window_events() const;
  size_t open_cases() const;

 private:
  struct seat {
    seat_id id = 0;  // 0: a free slot
    std::weak_ptr<subscriber_link> link;
    uint64_t cursor = 0;
    std::optional<position> floor;
    bool waiting = false;
    bool slow = false;
  };
  struct open_case {
    std::shared_ptr<const std::string> frame;
    uint64_t order = 0;
  };

  void append_locked(event e, std::vector<std::weak_ptr<subscriber_link>>& wake);
  void wake_all(std::vector<std::weak_ptr<subscriber_link>>& wake);
  seat_id add_seat_locked(std::weak_ptr<subscriber_link> link, uint64_t cursor);
  seat* find_locked(seat_id id);
  const seat* find_locked(seat_id id) const;
  std::vector<partition_mark>& marks(position& p, source from) const;

  const std::string division_, topic_;
  const uint32_t id_;
  const stream_limits limits_;

  mutable std::mutex mutex_;
  position head_, base_;  // after the newest event; before the oldest one in the window
  std::vector<bool> division_started_, cases_started_;
  std::deque<event_ptr> window_;
  uint64_t first_seq_ = 1, next_seq_ = 1;
  uint64_t total_bytes_ = 0;
  uint64_t swept_seq_ = 1, swept_bytes_ = 0;  // next_seq_ and total_bytes_ at the last sweep
  // The swept_seq_ the last sweep measured against, and whether a seat came since:
  // a sweep that would measure the same cursors against the same mark is skipped.
  uint64_t checked_seq_ = 0;
  bool seated_since_sweep_ = false;
  size_t window_bytes_ = 0;
  std::vector<seat> seats_;  // by slot: a seat id's low 32 bits
  std::vector<uint32_t> free_slots_;
  size_t seated_ = 0;
  std::vector<seat_id> waiters_;  // seats that reached the head, woken by the next event
  uint64_t next_serial_ = 1;      // a seat id's high 32 bits: a slot's seats are told apart
  std::unordered_map<std::string, open_case> open_;
  std::map<uint64_t, std::string> open_by_order_;
  uint64_t next_order_ = 1;
};

}  // namespace civic::gateway::subscribe
