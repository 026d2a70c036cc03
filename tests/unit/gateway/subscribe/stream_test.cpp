#include "gateway/subscribe/stream.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <set>
#include <vector>

#include "gateway/subscribe/position.hpp"

using namespace civic::gateway::subscribe;

namespace {

struct counting_link : subscriber_link {
  std::atomic<int> wakes{0};
  void wake() noexcept override { ++wakes; }
};

std::string routed(int n) {
  return R"({"schema":"routed-message.v1","n":)" + std::to_string(n) + "}";
}

struct fixture {
  stream_limits limits;
  std::unique_ptr<stream> s;
  explicit fixture(stream_limits l = {}) : limits(l) {
    s = std::make_unique<stream>("roads", "division.roads", 42, limits);
    s->set_division_partitions(2);
    s->set_case_partitions(1);
    s->start_partition(source::division, 0, 0);
    s->start_partition(source::division, 1, 0);
    s->start_partition(source::cases, 0, 0);
  }
  // Publishes n messages alternating between the two partitions, from offset `from`.
  void publish(int n, int64_t from = 0) {
    for (int i = 0; i < n; ++i) {
      int32_t p = i % 2;
      int64_t o = from + i / 2;
      s->append_message(routed(i), p, o, record_anchor(o, "k" + std::to_string(p)));
    }
  }
  // A seat joined at the head.
  stream::seat_id join_now(const std::shared_ptr<counting_link>& link) {
    position at;
    return s->attach_now(link, at);
  }
};

// Each subscriber may be 50 events or 32 KiB behind, in a window of window_bytes.
stream_limits small_queues(size_t window_bytes) {
  stream_limits l;
  l.window_bytes = window_bytes;
  l.queue_events = 50;
  l.queue_bytes = 32 * 1024;
  return l;
}

// Everything a seat takes until nothing is left: (partition, offset) pairs.
std::vector<std::pair<int32_t, int64_t>> drain(stream& s, stream::seat_id seat,
                                               position* last = nullptr) {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (;;) {
    auto t = s.take(seat, 256);
    REQUIRE_FALSE(t.slow);
    if (t.items.empty()) break;
    for (auto& i : t.items) out.emplace_back(i.e->partition, i.e->offset);
    if (last) *last = t.last;
  }
  return out;
}

}  // namespace

TEST_CASE("a stream is ready only once every partition has started") {
  stream s("roads", "division.roads", 1, {});
  s.set_division_partitions(1);
  s.set_case_partitions(1);
  CHECK_FALSE(s.ready());
  s.start_partition(source::division, 0, 5);
  CHECK_FALSE(s.ready());
  s.start_partition(source::cases, 0, 0);
  CHECK(s.ready());
  CHECK(s.head().division[0].next == 5);
}

TEST_CASE("live subscribers get every event in order, and the position in each frame") {
  fixture f;
  auto link = std::make_shared<counting_link>();
  position at;
  auto seat = f.s->attach_now(link, at);
  CHECK(f.s->take(seat, 1024).items.empty());  // registers for a wake
  f.publish(10);
  CHECK(link->wakes >= 1);
  position last;
  auto got = drain(*f.s, seat, &last);
  REQUIRE(got.size() == 10);
  CHECK(got[0] == std::make_pair(0, int64_t(0)));
  CHECK(got[9] == std::make_pair(1, int64_t(4)));
  CHECK(last.division[0].next == 5);
  CHECK(last.division[1].next == 5);
  auto token = f.s->head();
  CHECK(token == last);
}

TEST_CASE("resume from memory: exactly the events after the position, whatever was taken before") {
  fixture f;
  f.publish(20);
  auto link = std::make_shared<counting_link>();
  position at;
  auto first = f.s->attach_now(link, at);  // joined at the head (after 20)
  f.publish(20, 10);
  // Take part of it, remember the position, drop the seat (a connection cut).
  auto t = f.s->take(first, 300);
  REQUIRE_FALSE(t.items.empty());
  std::set<std::pair<int32_t, int64_t>> before;
  for (auto& i : t.items) before.emplace(i.e->partition, i.e->offset);
  position cut = t.last;
  f.s->detach(first);
  f.publish(6, 20);
  auto joined = f.s->attach_from(link, cut);
  REQUIRE(joined.result == stream::join_result::outcome::joined);
  auto after = drain(*f.s, joined.seat);
  std::set<std::pair<int32_t, int64_t>> all(before);
  for (auto& e : after) CHECK(all.insert(e).second);  // no duplicate
  CHECK(all.size() == 26);                            // no gap: offsets 10..22 on both partitions
  CHECK(all.begin()->second == 10);
}

TEST_CASE("a position the window no longer holds asks for the missing Kafka ranges") {
  stream_limits small;
  small.window_bytes = 4096;
  small.queue_bytes = 4096;
  fixture f(small);
  f.publish(200);
  position old;
  old.stream = 42;
  old.division = {{3, record_anchor(2, "k0")}, {3, record_anchor(2, "k1")}};
  old.cases = {{0, 0}};
  auto link = std::make_shared<counting_link>();
  auto r = f.s->attach_from(link, old);
  REQUIRE(r.result == stream::join_result::outcome::needs_kafka);
  REQUIRE(r.ranges.size() == 2);
  CHECK(r.ranges[0].start.next == 3);
  CHECK(r.ranges[0].end > 3);
  CHECK(r.ranges[0].end <= 100);
  CHECK(f.s->window_bytes() <= small.window_bytes);
}

TEST_CASE("a position ahead of what the stream has read is checked against Kafka before joining") {
  fixture f;
  f.publish(4);  // offsets 0 and 1 on both partitions
  auto link = std::make_shared<counting_link>();
  position ahead = f.s->head();
  ahead.division[1] = {1001, record_anchor(1000, "k1")};  // a topic recreated shorter, or forged
  auto r = f.s->attach_from(link, ahead);
  REQUIRE(r.result == stream::join_result::outcome::needs_kafka);
  REQUIRE(r.ranges.size() == 1);  // only the partition ahead, nothing to read: a check
  CHECK(r.ranges[0].partition == 1);
  CHECK(r.ranges[0].start.next == 1001);
  CHECK(r.ranges[0].end == 1001);
  // Once the history reader found offset 1000 there (another gateway read further): joined.
  r = f.s->attach_from(link, ahead, true);
  CHECK(r.result == stream::join_result::outcome::joined);
}

TEST_CASE("a position of another stream, or naming another record, is a mismatch") {
  fixture f;
  f.publish(4);
  auto link = std::make_shared<counting_link>();
  position other = f.s->head();
  other.stream = 7;
  auto r = f.s->attach_from(link, other);
  CHECK(r.result == stream::join_result::outcome::mismatch);
  CHECK(r.reason == "stream_mismatch");
  position forged = f.s->head();
  forged.division[0].anchor ^= 0x55;
  r = f.s->attach_from(link, forged);
  CHECK(r.result == stream::join_result::outcome::mismatch);
  CHECK(r.reason == "topic_recreated");
}

TEST_CASE("a subscriber that does not read is marked slow; others go on; memory stays bounded") {
  stream_limits l = small_queues(64 * 1024);
  fixture f(l);
  auto stuck = std::make_shared<counting_link>();
  auto reader = std::make_shared<counting_link>();
  auto stuck_seat = f.join_now(stuck);
  auto reader_seat = f.join_now(reader);
  size_t read = 0;
  for (int round = 0; round < 40; ++round) {
    f.publish(10, round * 5);
    f.s->sweep();
    read += drain(*f.s, reader_seat).size();
  }
  CHECK(read == 400);
  CHECK(f.s->take(stuck_seat, 1024).slow);
  CHECK(stuck->wakes >= 1);
  CHECK(f.s->window_bytes() <= l.window_bytes);
}

TEST_CASE(
    "a burst larger than the queue bound is not slowness: a reader has one sweep to take it") {
  fixture f(small_queues(1024 * 1024));
  auto reader = std::make_shared<counting_link>();
  auto stuck = std::make_shared<counting_link>();
  auto reader_seat = f.join_now(reader);
  auto stuck_seat = f.join_now(stuck);
  // One fetch of 400 records appended at once, then the reader's sweep: nobody
  // has had a chance to take any of it yet.
  f.publish(400, 0);
  f.s->sweep();
  CHECK_FALSE(f.s->take(reader_seat, 1).slow);
  CHECK(drain(*f.s, reader_seat).size() == 399);
  CHECK_FALSE(f.s->is_slow(stuck_seat));
  // By the next sweep the reader has taken everything; the other took nothing.
  f.s->sweep();
  CHECK_FALSE(f.s->is_slow(reader_seat));
  CHECK(f.s->is_slow(stuck_seat));
}

TEST_CASE("a snapshot is the open cases at its position; closed cases leave it") {
  fixture f;
  auto frame = [](const char* id) {
    return std::make_shared<const std::string>(
        std::string(R"({"type":"case","snapshot":true,"case":{"id":")") + id + "\"}}");
  };
  f.s->append_case(R"({"id":"case-a"})", 0, 0, 1, "case-a", frame("case-a"));
  f.s->append_case(R"({"id":"case-b"})", 0, 1, 2, "case-b", frame("case-b"));
  f.s->append_case(R"({"id":"case-a","status":"closed"})", 0, 2, 3, "case-a", nullptr);
  f.s->pass(source::cases, 0, 3, 4);
  auto link = std::make_shared<counting_link>();
  auto snap = f.s->attach_snapshot(link);
  REQUIRE(snap.cases.size() == 1);
  CHECK(snap.cases[0]->find("case-b") != std::string::npos);
  CHECK(snap.at.cases[0].next == 4);
  CHECK(f.s->take(snap.seat, 1024).items.empty());
}

TEST_CASE("the open cases of a division are bounded") {
  stream_limits l;
  l.max_open_cases = 3;
  fixture f(l);
  for (int i = 0; i < 10; ++i) {
    std::string id = "case-" + std::to_string(i);
    f.s->append_case("{\"id\":\"" + id + "\"}", 0, i, 1, id,
                     std::make_shared<const std::string>(id));
  }
  CHECK(f.s->open_cases() == 3);
  auto link = std::make_shared<counting_link>();
  auto snap = f.s->attach_snapshot(link);
  REQUIRE(snap.cases.size() == 3);
  CHECK(*snap.cases[0] == "case-9");  // newest activity first
}

namespace {

// A link whose owner can take a batch: wake_batch queues one task (an I/O
// thread's work), which wakes each link of its batch where it runs.
struct batching_link : subscriber_link {
  std::vector<std::function<void()>>* tasks = nullptr;
  std::vector<size_t>* batch_sizes = nullptr;
  int posted = 0, woken_here = 0;
  void wake() noexcept override { ++posted; }
  bool wake_batch(batch& links) noexcept override {
    batch_sizes->push_back(links.size());
    tasks->push_back([links = std::move(links)] {
      for (auto& l : links) l->wake_here();
    });
    return true;
  }
  void wake_here() noexcept override { ++woken_here; }
};

}  // namespace

TEST_CASE("one event wakes every waiting subscriber once, in batches rather than a post each") {
  fixture f;
  std::vector<std::function<void()>> tasks;
  std::vector<size_t> sizes;
  const size_t n = 3 * wake_batch_size + 5;
  std::vector<std::shared_ptr<batching_link>> links;
  std::vector<stream::seat_id> seats;
  for (size_t i = 0; i < n; ++i) {
    auto l = std::make_shared<batching_link>();
    l->tasks = &tasks;
    l->batch_sizes = &sizes;
    position at;
    seats.push_back(f.s->attach_now(l, at));
    CHECK(f.s->take(seats.back(), 1024).parked);
    links.push_back(std::move(l));
  }
  f.publish(1);
  // Nothing ran yet: the reader's thread only posted the batches.
  REQUIRE(tasks.size() == 4);
  CHECK(sizes == std::vector<size_t>{wake_batch_size, wake_batch_size, wake_batch_size, 5});
  for (auto& t : tasks) t();
  for (auto& l : links) {
    CHECK(l->woken_here == 1);
    CHECK(l->posted == 0);
  }
  // Each takes the event; a second event wakes them again, not before.
  for (auto seat : seats) CHECK(f.s->take(seat, 1024).items.size() == 1);
  tasks.clear();
  f.publish(1, 1);
  CHECK(tasks.size() == 4);
}

TEST_CASE("a take that reaches the head registers the seat: the next event wakes it") {
  fixture f;
  auto link = std::make_shared<counting_link>();
  position at;
  auto seat = f.s->attach_now(link, at);
  f.publish(4);
  auto part = f.s->take(seat, 1);  // one event of four: not at the head
  CHECK(part.items.size() == 1);
  CHECK_FALSE(part.parked);
  stream::taken rest;
  f.s->take(seat, 1 << 20, rest);
  CHECK(rest.items.size() == 3);
  CHECK(rest.parked);
  CHECK(rest.last == f.s->head());
  int before = link->wakes;
  f.publish(1, 2);
  CHECK(link->wakes == before + 1);
  f.s->take(seat, 1 << 20, rest);  // the reused result holds only the new event
  REQUIRE(rest.items.size() == 1);
  CHECK(rest.items[0].e->offset == 2);
}

TEST_CASE("seats come and go: a gone seat's id takes nothing, even once its slot is reused") {
  fixture f;
  auto a = std::make_shared<counting_link>();
  auto b = std::make_shared<counting_link>();
  position at;
  auto first = f.s->attach_now(a, at);
  CHECK(f.s->subscribers() == 1);
  f.s->detach(first);
  CHECK(f.s->subscribers() == 0);
  auto second = f.s->attach_now(b, at);  // the same slot
  CHECK(second != first);
  f.publish(2);
  CHECK(f.s->take(first, 1024).slow);  // gone: the owner must not get another's events
  CHECK(f.s->is_slow(first));
  CHECK(f.s->take(second, 1024).items.size() == 2);
  f.s->detach(first);  // twice, or a stale id: nothing happens
  CHECK(f.s->subscribers() == 1);
}

TEST_CASE("connections that come and go while no event comes leave nothing behind") {
  fixture f;
  auto link = std::make_shared<counting_link>();
  position at;
  for (int i = 0; i < 10'000; ++i) {
    auto seat = f.s->attach_now(link, at);
    CHECK(f.s->take(seat, 1024).parked);  // registered for a wake, then gone
    f.s->detach(seat);
  }
  auto stays = f.s->attach_now(link, at);
  CHECK(f.s->take(stays, 1024).parked);
  int before = link->wakes;
  f.publish(1);
  CHECK(link->wakes == before + 1);  // only the seat still here is woken
  CHECK(f.s->subscribers() == 1);
}

TEST_CASE("a sweep with nothing new changes nothing; after an event it measures again") {
  stream_limits l;
  l.queue_events = 16;
  fixture f(l);
  auto stuck = std::make_shared<counting_link>();
  position at;
  auto seat = f.s->attach_now(stuck, at);
  f.publish(40);
  f.s->sweep();  // measured against what had arrived before: nothing
  CHECK_FALSE(f.s->is_slow(seat));
  f.s->sweep();  // now 40 behind a bound of 16
  CHECK(f.s->is_slow(seat));
  auto late = std::make_shared<counting_link>();
  auto other = f.s->attach_from(late, position{42, {{0, 0}, {0, 0}}, {{0, 0}}});
  REQUIRE(other.result == stream::join_result::outcome::joined);
  f.s->sweep();  // a new seat, 40 behind: it is measured although no event came
  CHECK(f.s->is_slow(other.seat));
}
