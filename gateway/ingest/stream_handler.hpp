#pragma once
// WebSocket ingest at /v1/stream: one JSON message per text frame, an ack or
// nack frame for each once Kafka has answered (or, for a bridge that asked for
// the civic.batch-acks.v1 subprotocol, one "acks" frame for every ack ready
// together; schemas/ws-server-frame.v1.schema.json).
//
// Flow control, in order of the steps a frame takes:
// - the connection reads only while fewer than max_in_flight of its frames
//   are unanswered (an answer counts until it is written, so a client that does
//   not read its acks stops being read: TCP backpressure, flat memory);
// - a frame read is held until the global in-flight budget has room for it;
// - Kafka's answers are queued for the connection, and its strand is woken once
//   for all that arrived meanwhile (one post per burst, not one per message).

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/websocket.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/ingest/sender.hpp"

namespace civic::gateway::ingest {

// The subprotocol a bridge offers (Sec-WebSocket-Protocol) to get its acks in batches.
inline constexpr std::string_view batch_acks_subprotocol = "civic.batch-acks.v1";

struct stream_options {
  size_t max_in_flight = 256;  // unanswered messages per connection
  bool batch_acks = false;     // the bridge asked for batch_acks_subprotocol
  bool burst_reports = true;   // false: one strand post per delivery report (A/B runs)
};

class stream_handler final : public http::ws_handler,
                             public std::enable_shared_from_this<stream_handler> {
 public:
  stream_handler(pipeline& p, sender from, stream_options options)
      : pipeline_(p), from_(std::move(from)), options_(options) {}

  void on_open(std::shared_ptr<http::ws_connection> c) override { connection_ = c; }
  std::string subprotocol() const override;
  bool wants_frames() const override;
  void on_frame(std::string data, bool text) override;
  void on_sent() override;
  void on_shutdown() override;
  void on_closed() override { closed_ = true; }

  size_t in_flight() const { return in_flight_; }

 private:
  void submit(std::string frame);
  void retry_held();
  // From any thread: Kafka's answer for one message of this connection.
  void arrive(http::ws_connection& c, outcome o);
  void take_arrived();
  void answer(outcome o);
  void send_waiting_acks();
  void queue_frame(std::string frame, size_t answers);
  void close_when_idle();

  pipeline& pipeline_;
  const sender from_;
  const stream_options options_;
  std::weak_ptr<http::ws_connection> connection_;
  std::string held_frame_;  // read, waiting for room in the budget
  size_t in_flight_ = 0;    // frames read and not yet answered (answer written)
  bool holding_ = false, shutting_down_ = false, closing_ = false, closed_ = false;

  std::mutex arrived_mutex_;
  std::vector<outcome> arrived_;         // answers not yet taken up on the strand (guarded)
  std::vector<outcome> taking_;          // the strand's side of the swap, reused
  std::vector<outcome> acks_waiting_;    // batch_acks: held until the write in progress ends
  std::deque<size_t> answers_in_frame_;  // how many answers each queued frame carries
};

}  // namespace civic::gateway::ingest
