#pragma once
// One subscriber connection's logic, apart from the socket (the Beast session
// in ws_session.cpp only moves bytes): the client frames
// (schemas/subscribe-client-frame.v1.schema.json), the subscription's phases
// (state or replay, then live), what to write next, and when to disconnect.
//
// Output order of a subscription: `subscribed`, then the snapshot's cases or the
// replayed events, then `live`, then live events. Control frames (errors,
// refreshed, refresh_due) go out before anything else that is waiting.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/jwt.hpp"
#include "gateway/subscribe/history.hpp"
#include "gateway/subscribe/hub.hpp"
#include "gateway/subscribe/metrics.hpp"

namespace civic::gateway::subscribe {

// WebSocket close codes of the protocol. 4000-4399: reconnect and resume with
// the position of the last `disconnect` frame; 4400-4499: do not reconnect
// without a new token or a corrected request.
namespace close_code {
inline constexpr int slow = 4008;             // fell over its queue bound
inline constexpr int try_again = 4013;        // replay from Kafka failed or overloaded: back off
inline constexpr int bad_request = 4400;      // a frame that is not the protocol
inline constexpr int unauthenticated = 4401;  // no token, or an invalid one
inline constexpr int expired = 4402;          // the token expired while connected
inline constexpr int forbidden = 4403;        // a refreshed token no longer grants the division
}  // namespace close_code

struct session_settings {
  size_t write_batch_bytes = 64 * 1024;  // one text frame at most (unless one event is larger)
  size_t max_client_frame_bytes = 16 * 1024;
  std::chrono::seconds refresh_notice{60};  // refresh_due this long before exp
  size_t replay_events = 1024;              // a replay's queue from its reader
  size_t replay_bytes = 1024 * 1024;
  int max_join_attempts = 8;
};

struct subscribe_context {
  hub& streams;
  history_readers* history;  // null: positions older than the window are not recovered
  const civic::auth::jwt_verifier& verifier;
  subscribe_metrics& metrics;
  session_settings settings;
};

// How the socket side (ws_session.cpp) is woken to call next().
struct subscriber_waker {
  // Post to the connection's strand: from any thread, also while the stream's lock is held.
  std::function<void()> post;
  // The same, but run now if the strand is free: only on an I/O thread, no lock held.
  std::function<void()> dispatch;
  // Run a task on one of the I/O threads (not a strand); empty: none known.
  std::function<void(std::function<void()>)> post_io;
};

class subscriber : public subscriber_link, public std::enable_shared_from_this<subscriber> {
 public:
  using clock = std::chrono::system_clock;

  subscriber(subscribe_context& ctx, civic::auth::claims who, subscriber_waker waker);
  // notify: the waker's post (and its dispatch); no batched wake-ups.
  subscriber(subscribe_context& ctx, civic::auth::claims who, std::function<void()> notify);
  ~subscriber() override;

  void start();
  void on_frame(std::string_view text, clock::time_point now);
  // When the token's expiry or its refresh notice is due: call tick() then.
  clock::time_point next_deadline() const;
  void tick(clock::time_point now);
  // Shutdown: a disconnect frame with the position and reconnect: true, then 1001.
  void shutdown();

  struct close_instruction {
    int code = 1000;
    std::string reason;
  };
  struct output {
    std::vector<std::string_view> frames;  // write as one text frame, joined by '\n'
    size_t events = 0, event_bytes = 0;
    std::optional<close_instruction> close;  // after frames
  };
  // What to write now; it and its views stay valid until the next call. Nothing:
  // wait for the waker.
  const output& next();
  // The connection is gone: leave the stream, stop any replay.
  void stop();

  // A disconnect is decided (slow, expired, ...): the socket side should not wait
  // long for a write a stuck client never reads.
  bool closing() const { return close_.has_value(); }
  // While a write is in flight: has the stream given up on this subscriber? Then
  // the disconnect is decided (closing() turns true).
  bool check_slow();

  void wake() noexcept override;
  bool wake_batch(batch& links) noexcept override;
  void wake_here() noexcept override;
  std::string last_position() const;

 private:
  enum class phase { idle, snapshot, replay_kafka, window, live, closing };

  void control(std::string frame);
  void fail_request(std::string_view id, std::error_code code, std::string message,
                    std::string pointer, bool retryable = false);
  void close_with(int code, std::string_view reason, bool reconnect, disconnect_reason why);
  void subscribe(std::string id, std::string division, std::string from, std::string fallback);
  void start_snapshot(std::optional<std::string> unrecovered_reason);
  void start_now(std::optional<std::string> unrecovered_reason);
  void try_join(const position& from, bool first);
  void not_recovered(const std::string& reason);
  void refresh(std::string id, std::string token, clock::time_point now);
  clock::time_point ends_at() const;
  void take_stream(output& out);
  void take_replay(output& out);

  subscribe_context& ctx_;
  civic::auth::claims who_;
  subscriber_waker waker_;
  bool refresh_notice_sent_ = false;
  // The seat reached the stream's head at the last take, so the stream wakes it
  // when there is more: until woken_, next() need not ask the stream again.
  bool parked_ = false;
  std::atomic<bool> woken_{false};

  phase phase_ = phase::idle;
  std::string request_id_, division_, fallback_;
  std::shared_ptr<stream> stream_;
  stream::seat_id seat_ = 0;
  uint64_t replay_until_ = 0;  // window resume: events up to this seq are replay
  uint64_t replayed_ = 0;
  int join_attempts_ = 0;
  std::vector<std::shared_ptr<const std::string>> snapshot_cases_;
  size_t snapshot_next_ = 0;
  std::shared_ptr<history_sink> replay_;
  bool replay_announced_ = false;
  position last_;
  bool has_position_ = false;

  std::deque<std::string> control_;
  std::optional<close_instruction> close_;
  // The last output, and what its views point into (kept, so their memory is reused).
  output out_;
  std::deque<std::string> held_strings_;  // a deque: growing it never moves what views point into
  std::vector<event_ptr> held_events_;
  stream::taken taken_;
  std::vector<std::shared_ptr<const std::string>> held_frames_;
};

}  // namespace civic::gateway::subscribe
