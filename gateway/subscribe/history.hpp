#pragma once
// Resumes older than the window: the partition ranges a position is behind are
// read back from Kafka by offset (history is the topics' retention, not a cache).
// A few reader threads, each with its own assign-only consumer, serve a bounded
// queue of requests; each request streams its events into a sink the
// subscriber's session drains, bounded, so a subscriber that does not read
// stops its reader (which gives up after the request's deadline), never the
// live reader.
//
// Before anything is sent, each range is checked: its start must not be older
// than the partition's first offset (retention) nor past its end, and the record
// just before it must be the one the position names (a recreated topic reuses
// offsets for other records). Either failure is "not recovered", with the reason.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"
#include "gateway/subscribe/stream.hpp"

namespace civic::gateway::subscribe {

class history_sink {
 public:
  enum class state { verifying, streaming, done, failed };

  history_sink(std::weak_ptr<subscriber_link> link, size_t max_events, size_t max_bytes);

  // --- the reader's side
  // nullopt: the position is good, events follow; else why it cannot be resumed.
  void verified(std::optional<std::string> not_recovered);
  // Waits while the sink is full, until `deadline`; false when cancelled or timed out.
  bool push(event_ptr e, std::chrono::steady_clock::time_point deadline);
  void finish(position reached);
  void fail(std::string why);  // Kafka did not answer in time: try again later

  // --- the session's side
  state status() const;
  std::string reason() const;  // verified(...) or fail(...)'s
  position reached() const;    // done
  // Up to max_bytes of events (at least one if any).
  std::vector<event_ptr> take(size_t max_bytes);
  void cancel();

 private:
  void wake();

  std::weak_ptr<subscriber_link> link_;
  const size_t max_events_, max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable room_;
  std::deque<event_ptr> queue_;
  size_t bytes_ = 0;
  state state_ = state::verifying;
  std::string reason_;
  position reached_;
  bool cancelled_ = false;
};

struct history_request {
  std::string division;
  std::string division_topic, cases_topic;
  std::vector<kafka_range> ranges;
  position from;
  std::shared_ptr<history_sink> sink;
};

struct history_settings {
  kafka::properties kafka;
  size_t readers = 2;
  size_t queue = 1000;  // requests waiting for a reader; beyond it, refused (try again)
  std::chrono::milliseconds timeout{60'000};
};

class history_readers {
 public:
  static expected<std::unique_ptr<history_readers>, std::string> start(history_settings s);
  ~history_readers();

  // False when the queue is full.
  bool submit(history_request r);
  size_t waiting() const;

 private:
  struct worker;
  explicit history_readers(history_settings s);
  void run(worker& w);

  history_settings settings_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::deque<history_request> queue_;
  bool stop_ = false;
  std::vector<std::unique_ptr<worker>> workers_;
};

}  // namespace civic::gateway::subscribe
