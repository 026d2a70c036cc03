#include "gateway/subscribe/history.hpp"

#include <algorithm>
#include <map>

#include "common/kafka/handles.hpp"
#include "common/log/log.hpp"
#include "gateway/subscribe/frames.hpp"
#include "gateway/subscribe/kafka_client.hpp"

namespace civic::gateway::subscribe {
namespace {

using clock = std::chrono::steady_clock;

int remaining_ms(clock::time_point deadline, int cap) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, cap));
}

struct range_state {
  const kafka_range* range = nullptr;
  const std::string* topic = nullptr;
  bool done = false;
};

// One poll of the assigned ranges: the message and the source its topic is (an empty
// handle when the poll gave none), or timed_out once the deadline passed (the assignment
// is dropped then).
struct polled {
  bool timed_out = false;
  kafka::message_handle m;
  source from = source::cases;
};

polled poll_ranges(rd_kafka_t* client, clock::time_point deadline,
                   std::string_view division_topic) {
  polled p;
  if (clock::now() >= deadline) {
    rd_kafka_assign(client, nullptr);
    p.timed_out = true;
    return p;
  }
  p.m.reset(rd_kafka_consumer_poll(client, remaining_ms(deadline, 100)));
  if (!p.m || !p.m->rkt) {
    p.m.reset();
    return p;
  }
  p.from = rd_kafka_topic_name(p.m->rkt) == division_topic ? source::division : source::cases;
  return p;
}

std::string_view key_of(const rd_kafka_message_t& m) {
  return m.key ? std::string_view(static_cast<const char*>(m.key), m.key_len) : std::string_view();
}

}  // namespace

// ---------------------------------------------------------------- sink

history_sink::history_sink(std::weak_ptr<subscriber_link> link, size_t max_events, size_t max_bytes)
    : link_(std::move(link)), max_events_(max_events), max_bytes_(max_bytes) {}

void history_sink::wake() {
  if (auto l = link_.lock()) l->wake();
}

void history_sink::verified(std::optional<std::string> not_recovered) {
  {
    std::lock_guard lock(mutex_);
    if (not_recovered) {
      state_ = state::failed;
      reason_ = *not_recovered;
    } else {
      state_ = state::streaming;
    }
  }
  wake();
}

bool history_sink::push(event_ptr e, clock::time_point deadline) {
  {
    std::unique_lock lock(mutex_);
    bool room = room_.wait_until(lock, deadline, [&] {
      return cancelled_ ||
             (queue_.size() < max_events_ && bytes_ + e->frame.size() <= max_bytes_) ||
             queue_.empty();
    });
    if (!room || cancelled_) return false;
    bytes_ += e->frame.size();
    queue_.push_back(std::move(e));
  }
  wake();
  return true;
}

void history_sink::finish(position reached) {
  {
    std::lock_guard lock(mutex_);
    state_ = state::done;
    reached_ = std::move(reached);
  }
  wake();
}

void history_sink::fail(std::string why) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == state::verifying || state_ == state::streaming) {
      state_ = state::failed;
      reason_ = std::move(why);
    }
  }
  wake();
}

history_sink::state history_sink::status() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string history_sink::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

position history_sink::reached() const {
  std::lock_guard lock(mutex_);
  return reached_;
}

std::vector<event_ptr> history_sink::take(size_t max_bytes) {
  std::vector<event_ptr> out;
  {
    std::lock_guard lock(mutex_);
    size_t bytes = 0;
    while (!queue_.empty() && (out.empty() || bytes < max_bytes)) {
      bytes += queue_.front()->frame.size();
      bytes_ -= queue_.front()->frame.size();
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  if (!out.empty()) room_.notify_all();
  return out;
}

void history_sink::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  room_.notify_all();
}

// ---------------------------------------------------------------- readers

struct history_readers::worker {
  kafka::client_handle client;
  std::thread thread;
};

history_readers::history_readers(history_settings s) : settings_(std::move(s)) {}

expected<std::unique_ptr<history_readers>, std::string> history_readers::start(history_settings s) {
  std::unique_ptr<history_readers> r(new history_readers(std::move(s)));
  for (size_t i = 0; i < r->settings_.readers; ++i) {
    auto client =
        make_assign_only_consumer(r->settings_.kafka, "subscribe-history-" + std::to_string(i));
    if (!client) return unexpected(std::move(client).error());
    auto w = std::make_unique<worker>();
    w->client = std::move(*client);
    r->workers_.push_back(std::move(w));
  }
  for (auto& w : r->workers_) {
    w->thread = std::thread([self = r.get(), wp = w.get()] { self->run(*wp); });
  }
  return r;
}

history_readers::~history_readers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    for (auto& r : queue_) r.sink->fail("shutting_down");
    queue_.clear();
  }
  work_.notify_all();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
    rd_kafka_consumer_close(w->client.get());
  }
}

bool history_readers::submit(history_request r) {
  {
    std::lock_guard lock(mutex_);
    if (stop_ || queue_.size() >= settings_.queue) return false;
    queue_.push_back(std::move(r));
  }
  work_.notify_one();
  return true;
}

size_t history_readers::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

namespace {

// Reads one request on one consumer. Returns false when the sink gave up (the
// subscriber went away or stopped reading).
void serve(rd_kafka_t* client, history_request& req, std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  auto topic_of = [&](const kafka_range& r) -> const std::string& {
    return r.from == source::division ? req.division_topic : req.cases_topic;
  };

  // 1. Retention and end: the range must still be there.
  for (const auto& r : req.ranges) {
    int64_t low = 0, high = 0;
    auto err = rd_kafka_query_watermark_offsets(client, topic_of(r).c_str(), r.partition, &low,
                                                &high, remaining_ms(deadline, 10'000));
    if (err) return req.sink->fail(std::string("kafka: ") + rd_kafka_err2str(err));
    if (r.start.next < low) return req.sink->verified("position_older_than_retention");
    if (r.start.next > high) return req.sink->verified("topic_recreated");
  }

  // 2. The record before the position must be the one it names.
  kafka::partition_list_handle anchors(rd_kafka_topic_partition_list_new(4));
  std::map<std::pair<source, int32_t>, const kafka_range*> pending;
  for (const auto& r : req.ranges) {
    if (r.start.anchor == 0 || r.start.next == 0) continue;
    rd_kafka_topic_partition_list_add(anchors.get(), topic_of(r).c_str(), r.partition)->offset =
        r.start.next - 1;
    pending[{r.from, r.partition}] = &r;
  }
  if (!pending.empty()) {
    rd_kafka_assign(client, anchors.get());
    while (!pending.empty()) {
      auto [timed_out, m, src] = poll_ranges(client, deadline, req.division_topic);
      if (timed_out) return req.sink->fail("kafka: timed out reading history");
      if (!m) continue;
      auto found = pending.find({src, m->partition});
      if (found == pending.end()) continue;
      const kafka_range& r = *found->second;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // Nothing at or after next - 1 although the watermark said so: gone meanwhile.
        if (m->offset < r.start.next) {
          rd_kafka_assign(client, nullptr);
          return req.sink->verified("topic_recreated");
        }
        pending.erase(found);
        continue;
      }
      if (m->err) continue;
      if (m->offset == r.start.next - 1) {
        rd_kafka_timestamp_type_t type;
        int64_t ts = rd_kafka_message_timestamp(m.get(), &type);
        if (record_anchor(ts, key_of(*m)) != r.start.anchor) {
          rd_kafka_assign(client, nullptr);
          return req.sink->verified("topic_recreated");
        }
      }
      // A later first record: the one before was compacted away or deleted with
      // nothing after it lost (the retention check passed); nothing to compare.
      pending.erase(found);
    }
    rd_kafka_assign(client, nullptr);
  }
  req.sink->verified(std::nullopt);

  // 3. The ranges themselves, in offset order per partition.
  position at = req.from;
  if (at.division.size() < req.from.division.size()) at.division.resize(req.from.division.size());
  std::map<std::pair<source, int32_t>, range_state> open;
  kafka::partition_list_handle list(rd_kafka_topic_partition_list_new(4));
  for (const auto& r : req.ranges) {
    rd_kafka_topic_partition_list_add(list.get(), topic_of(r).c_str(), r.partition)->offset =
        r.start.next;
    open[{r.from, r.partition}] = {&r, &topic_of(r), false};
    auto& marks = r.from == source::division ? at.division : at.cases;
    if (marks.size() <= static_cast<size_t>(r.partition)) marks.resize(size_t(r.partition) + 1);
  }
  size_t left = open.size();
  rd_kafka_assign(client, list.get());
  auto close_range = [&](range_state& rs) {
    if (rs.done) return;
    rs.done = true;
    --left;
    auto& marks = rs.range->from == source::division ? at.division : at.cases;
    auto& m = marks[static_cast<size_t>(rs.range->partition)];
    if (m.next < rs.range->end) m = {rs.range->end, rs.range->end_anchor};
  };
  while (left > 0) {
    auto [timed_out, m, src] = poll_ranges(client, deadline, req.division_topic);
    if (timed_out) return req.sink->fail("kafka: timed out reading history");
    if (!m) continue;
    auto found = open.find({src, m->partition});
    if (found == open.end() || found->second.done) continue;
    range_state& rs = found->second;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m->offset >= rs.range->end) close_range(rs);
      continue;
    }
    if (m->err) continue;
    if (m->offset >= rs.range->end) {
      close_range(rs);
      continue;
    }
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(m.get(), &type);
    std::string_view key = key_of(*m);
    std::string_view value = m->payload
                                 ? std::string_view(static_cast<const char*>(m->payload), m->len)
                                 : std::string_view();
    auto& marks = src == source::division ? at.division : at.cases;
    marks[static_cast<size_t>(m->partition)] = {m->offset + 1, record_anchor(ts, key)};
    std::optional<event> e;
    if (auto compact = value.empty() ? expected<std::string, std::string>(unexpected(std::string()))
                                     : compact_json_object(value)) {
      if (src == source::division) {
        e = make_message_event(*compact, m->partition, m->offset, at);
      } else if (auto summary = read_case_summary(*compact)) {
        const auto& d = summary->divisions;
        if (std::find(d.begin(), d.end(), req.division) != d.end()) {
          e = make_case_event(*compact, m->partition, m->offset, at);
        }
      }
    }
    if (e && !req.sink->push(std::make_shared<const event>(std::move(*e)), deadline)) {
      rd_kafka_assign(client, nullptr);
      return req.sink->fail("subscriber did not read its replay in time");
    }
    if (m->offset + 1 >= rs.range->end) close_range(rs);
  }
  rd_kafka_assign(client, nullptr);
  req.sink->finish(at);
}

}  // namespace

void history_readers::run(worker& w) {
  for (;;) {
    history_request req;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      req = std::move(queue_.front());
      queue_.pop_front();
    }
    serve(w.client.get(), req, settings_.timeout);
  }
}

}  // namespace civic::gateway::subscribe
