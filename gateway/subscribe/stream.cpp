#include "gateway/subscribe/stream.hpp"

#include <algorithm>

#include "gateway/subscribe/frames.hpp"

namespace civic::gateway::subscribe {
namespace {

partition_mark mark_at(const std::vector<partition_mark>& marks, size_t i) {
  return i < marks.size() ? marks[i] : partition_mark{};
}

// The larger of two positions on every partition (the one further on).
position max_position(const position& a, const position& b) {
  position out = a;
  auto merge = [](std::vector<partition_mark>& into, const std::vector<partition_mark>& other) {
    if (into.size() < other.size()) into.resize(other.size());
    for (size_t i = 0; i < other.size(); ++i) {
      if (other[i].next > into[i].next) into[i] = other[i];
    }
  };
  merge(out.division, b.division);
  merge(out.cases, b.cases);
  return out;
}

}  // namespace

stream::stream(std::string division, std::string topic, uint32_t id, stream_limits limits)
    : division_(std::move(division)), topic_(std::move(topic)), id_(id), limits_(limits) {
  head_.stream = base_.stream = id_;
}

std::vector<partition_mark>& stream::marks(position& p, source from) const {
  return from == source::division ? p.division : p.cases;
}

void stream::set_division_partitions(size_t n) {
  std::lock_guard lock(mutex_);
  if (n <= head_.division.size()) return;
  head_.division.resize(n);
  base_.division.resize(n);
  division_started_.resize(n, false);
}

void stream::set_case_partitions(size_t n) {
  std::lock_guard lock(mutex_);
  if (n <= head_.cases.size()) return;
  head_.cases.resize(n);
  base_.cases.resize(n);
  cases_started_.resize(n, false);
}

void stream::start_partition(source from, int32_t partition, int64_t next) {
  std::lock_guard lock(mutex_);
  auto& started = from == source::division ? division_started_ : cases_started_;
  auto p = static_cast<size_t>(partition);
  if (p >= started.size() || started[p]) return;
  started[p] = true;
  marks(head_, from)[p] = {next, 0};
  marks(base_, from)[p] = {next, 0};
}

bool stream::ready() const {
  std::lock_guard lock(mutex_);
  auto all = [](const std::vector<bool>& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](bool b) { return b; });
  };
  return all(division_started_) && all(cases_started_);
}

void stream::append_message(std::string_view compact_value, int32_t partition, int64_t offset,
                            uint32_t anchor) {
  std::vector<std::weak_ptr<subscriber_link>> wake;
  {
    std::lock_guard lock(mutex_);
    auto p = static_cast<size_t>(partition);
    if (p >= head_.division.size()) return;
    head_.division[p] = {offset + 1, anchor};
    append_locked(make_message_event(compact_value, partition, offset, head_), wake);
  }
  wake_all(wake);
}

void stream::append_case(std::string_view compact_value, int32_t partition, int64_t offset,
                         uint32_t anchor, const std::string& case_id,
                         std::shared_ptr<const std::string> snapshot_frame) {
  std::vector<std::weak_ptr<subscriber_link>> wake;
  {
    std::lock_guard lock(mutex_);
    auto p = static_cast<size_t>(partition);
    if (p >= head_.cases.size()) return;
    head_.cases[p] = {offset + 1, anchor};
    append_locked(make_case_event(compact_value, partition, offset, head_), wake);
    auto found = open_.find(case_id);
    if (found != open_.end()) {
      open_by_order_.erase(found->second.order);
      if (!snapshot_frame) open_.erase(found);
    }
    if (snapshot_frame) {
      uint64_t order = next_order_++;
      open_[case_id] = {std::move(snapshot_frame), order};
      open_by_order_.emplace(order, case_id);
      // Bounded: the case least recently active leaves the snapshot first.
      while (open_.size() > limits_.max_open_cases) {
        auto oldest = open_by_order_.begin();
        open_.erase(oldest->second);
        open_by_order_.erase(oldest);
      }
    }
  }
  wake_all(wake);
}

void stream::pass(source from, int32_t partition, int64_t offset, uint32_t anchor) {
  std::lock_guard lock(mutex_);
  auto& m = marks(head_, from);
  auto p = static_cast<size_t>(partition);
  if (p < m.size()) m[p] = {offset + 1, anchor};
}

void stream::append_locked(event e, std::vector<std::weak_ptr<subscriber_link>>& wake) {
  e.seq = next_seq_++;
  e.bytes_before = total_bytes_;
  total_bytes_ += e.frame.size();
  window_bytes_ += e.footprint();
  window_.push_back(std::make_shared<const event>(std::move(e)));
  while (window_bytes_ > limits_.window_bytes && window_.size() > 1) {
    const event_ptr& oldest = window_.front();
    window_bytes_ -= oldest->footprint();
    base_ = max_position(base_, oldest->after);
    window_.pop_front();
    ++first_seq_;
  }
  wake.reserve(wake.size() + waiters_.size());
  for (seat_id id : waiters_) {
    seat* found = find_locked(id);
    if (!found || !found->waiting) continue;
    found->waiting = false;
    wake.push_back(found->link);
  }
  waiters_.clear();
}

void stream::wake_all(std::vector<std::weak_ptr<subscriber_link>>& wake) {
  subscriber_link::batch chunk;
  for (size_t i = 0; i < wake.size();) {
    chunk.clear();
    chunk.reserve(std::min(wake_batch_size, wake.size() - i));
    for (; i < wake.size() && chunk.size() < wake_batch_size; ++i) {
      if (auto link = wake[i].lock()) chunk.push_back(std::move(link));
    }
    if (chunk.empty()) continue;
    if (chunk.size() > 1 && chunk.front()->wake_batch(chunk)) continue;
    for (auto& link : chunk) link->wake();
  }
}

void stream::sweep() {
  std::vector<std::weak_ptr<subscriber_link>> wake;
  {
    std::lock_guard lock(mutex_);
    // Cursors only move on: measured against the same mark as last time, with
    // no event and no seat since, nobody can have become slow.
    if (checked_seq_ == swept_seq_ && swept_seq_ == next_seq_ && !seated_since_sweep_) return;
    for (seat& s : seats_) {
      if (s.id == 0 || s.slow) continue;
      bool overtaken = s.cursor < first_seq_;
      uint64_t behind_events = 0, behind_bytes = 0;
      if (!overtaken && s.cursor < swept_seq_) {
        behind_events = swept_seq_ - s.cursor;
        behind_bytes = swept_bytes_ - window_[s.cursor - first_seq_]->bytes_before;
      }
      if (overtaken || behind_events > limits_.queue_events || behind_bytes > limits_.queue_bytes) {
        s.slow = true;
        s.waiting = false;
        wake.push_back(s.link);
      }
    }
    checked_seq_ = swept_seq_;
    seated_since_sweep_ = false;
    swept_seq_ = next_seq_;
    swept_bytes_ = total_bytes_;
  }
  wake_all(wake);
}

stream::seat_id stream::add_seat_locked(std::weak_ptr<subscriber_link> link, uint64_t cursor) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(seats_.size());
    seats_.emplace_back();
  }
  // The serial is never 0, so neither is an id; a slot's next seat has another.
  uint32_t serial = static_cast<uint32_t>(next_serial_++);
  if (serial == 0) serial = static_cast<uint32_t>(next_serial_++);
  seat& s = seats_[slot];
  s.id = (static_cast<seat_id>(serial) << 32) | slot;
  s.link = std::move(link);
  s.cursor = cursor;
  s.floor.reset();
  s.waiting = s.slow = false;
  ++seated_;
  seated_since_sweep_ = true;
  return s.id;
}

stream::seat* stream::find_locked(seat_id id) {
  auto slot = static_cast<size_t>(id & 0xffff'ffffu);
  if (id == 0 || slot >= seats_.size() || seats_[slot].id != id) return nullptr;
  return &seats_[slot];
}

const stream::seat* stream::find_locked(seat_id id) const {
  return const_cast<stream*>(this)->find_locked(id);
}

stream::snapshot stream::attach_snapshot(std::weak_ptr<subscriber_link> link) {
  std::lock_guard lock(mutex_);
  snapshot out;
  out.at = head_;
  out.cases.reserve(open_.size());
  for (auto it = open_by_order_.rbegin(); it != open_by_order_.rend(); ++it) {
    out.cases.push_back(open_.at(it->second).frame);
  }
  out.seat = add_seat_locked(std::move(link), next_seq_);
  return out;
}

stream::seat_id stream::attach_now(std::weak_ptr<subscriber_link> link, position& at) {
  std::lock_guard lock(mutex_);
  at = head_;
  return add_seat_locked(std::move(link), next_seq_);
}

stream::join_result stream::attach_from(std::weak_ptr<subscriber_link> link, const position& from,
                                        bool ahead_verified) {
  std::lock_guard lock(mutex_);
  join_result out;
  if (from.stream != id_) {
    out.result = join_result::outcome::mismatch;
    out.reason = "stream_mismatch";
    return out;
  }
  // The record just before the position, where the window still knows it, must
  // be the one the position names.
  auto anchor_matches = [&](source src, size_t p, const partition_mark& m) {
    if (m.anchor == 0 || m.next == 0) return true;
    const partition_mark b = mark_at(marks(base_, src), p);
    if (b.next == m.next && b.anchor != 0) return b.anchor == m.anchor;
    const partition_mark h = mark_at(marks(head_, src), p);
    if (h.next == m.next && h.anchor != 0) return h.anchor == m.anchor;
    return true;
  };
  for (source src : {source::division, source::cases}) {
    const auto& mine = src == source::division ? base_.division : base_.cases;
    const auto& theirs = src == source::division ? from.division : from.cases;
    for (size_t p = 0; p < mine.size(); ++p) {
      partition_mark m = mark_at(theirs, p);
      if (!anchor_matches(src, p, m)) {
        out.result = join_result::outcome::mismatch;
        out.reason = "topic_recreated";
        return out;
      }
      if (m.next < mine[p].next) {
        out.ranges.push_back({src, static_cast<int32_t>(p), m, mine[p].next, mine[p].anchor});
      } else if (!ahead_verified && m.next > mark_at(marks(head_, src), p).next) {
        out.ranges.push_back({src, static_cast<int32_t>(p), m, m.next, m.anchor});
      }
    }
  }
  if (!out.ranges.empty()) {
    out.result = join_result::outcome::needs_kafka;
    return out;
  }
  out.seat = add_seat_locked(std::move(link), first_seq_);
  out.head_seq = next_seq_ - 1;
  find_locked(out.seat)->floor = from;
  return out;
}

stream::taken stream::take(seat_id id, size_t max_bytes) {
  taken out;
  take(id, max_bytes, out);
  return out;
}

void stream::take(seat_id id, size_t max_bytes, taken& out) {
  out.items.clear();  // before the lock: releasing events may free them
  out.slow = out.parked = false;
  std::lock_guard lock(mutex_);
  seat* found = find_locked(id);
  if (!found) {
    out.slow = true;
    return;
  }
  seat& s = *found;
  if (s.slow || s.cursor < first_seq_) {
    s.slow = out.slow = true;
    return;
  }
  size_t bytes = 0;
  const event* last_plain = nullptr;  // the last event taken as it is: its position is out.last
  while (s.cursor < next_seq_ && (out.items.empty() || bytes < max_bytes)) {
    const event_ptr& e = window_[s.cursor - first_seq_];
    ++s.cursor;
    if (!s.floor) {
      bytes += e->frame.size();
      out.items.push_back({e, {}});
      last_plain = e.get();
      continue;
    }
    // Catching up from a position the window's own order does not pass through:
    // skip what the subscriber has, and give what it gets the position that
    // counts both (never less than what it had).
    const partition_mark have =
        mark_at(marks(*s.floor, e->from), static_cast<size_t>(e->partition));
    if (e->offset < have.next) continue;
    position sent = max_position(*s.floor, e->after);
    if (e->after.covers(*s.floor)) {
      s.floor.reset();
      bytes += e->frame.size();
      out.items.push_back({e, {}});
    } else {
      std::string reframed = e->with_position(encode_position(sent));
      bytes += reframed.size();
      out.items.push_back({e, std::move(reframed)});
      s.floor = sent;
    }
    out.last = std::move(sent);
    last_plain = nullptr;
  }
  if (last_plain) out.last = last_plain->after;
  out.cursor = s.cursor;
  if (s.cursor == next_seq_) {
    out.parked = true;
    if (!s.waiting) {
      s.waiting = true;
      waiters_.push_back(id);
      // Seats that left while waiting stay listed until the next event: bounded
      // all the same when connections come and go and no event comes.
      if (waiters_.size() > 2 * seated_ + 64) {
        std::erase_if(waiters_, [this](seat_id w) {
          const seat* ws = find_locked(w);
          return !ws || !ws->waiting;
        });
      }
    }
  }
}

bool stream::is_slow(seat_id id) const {
  std::lock_guard lock(mutex_);
  const seat* found = find_locked(id);
  return !found || found->slow || found->cursor < first_seq_;
}

void stream::detach(seat_id id) {
  std::weak_ptr<subscriber_link> link;
  std::optional<position> floor;
  {
    std::lock_guard lock(mutex_);
    seat* found = find_locked(id);
    if (!found) return;
    // Released after the lock: the link may be the last reference to its owner.
    link.swap(found->link);
    floor.swap(found->floor);
    found->id = 0;
    found->waiting = found->slow = false;
    free_slots_.push_back(static_cast<uint32_t>(id & 0xffff'ffffu));
    --seated_;
  }
}

position stream::head() const {
  std::lock_guard lock(mutex_);
  return head_;
}

size_t stream::subscribers() const {
  std::lock_guard lock(mutex_);
  return seated_;
}

size_t stream::window_bytes() const {
  std::lock_guard lock(mutex_);
  return window_bytes_;
}

size_t stream::window_events() const {
  std::lock_guard lock(mutex_);
  return window_.size();
}

size_t stream::open_cases() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

}  // namespace civic::gateway::subscribe
