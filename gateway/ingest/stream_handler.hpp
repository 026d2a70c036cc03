#pragma once
// WebSocket ingest at /v1/stream: one JSON message per text frame, an ack or
// nack frame for each once Kafka has answered.
//
// Flow control, in order of the steps a frame takes:
// - the connection reads only while fewer than ws_max_in_flight of its frames
//   are unanswered (an answer counts until it is written, so a client that does
//   not read its acks stops being read: TCP backpressure, flat memory);
// - a frame read is held until the global in-flight budget has room for it;
// - the pipeline's answer is posted back to the connection's strand and sent.

#include <memory>
#include <string>

#include "gateway/http/websocket.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/ingest/sender.hpp"

namespace civic::gateway::ingest {

class stream_handler final : public http::ws_handler,
                             public std::enable_shared_from_this<stream_handler> {
 public:
  stream_handler(pipeline& p, sender from, size_t max_in_flight)
      : pipeline_(p), from_(std::move(from)), max_in_flight_(max_in_flight) {}

  void on_open(std::shared_ptr<http::ws_connection> c) override { connection_ = c; }
  bool wants_frames() const override;
  void on_frame(std::string data, bool text) override;
  void on_sent() override;
  void on_shutdown() override;
  void on_closed() override { closed_ = true; }

  size_t in_flight() const { return in_flight_; }

 private:
  void submit(std::string frame);
  void retry_held();
  void send(outcome o);
  void close_when_idle();

  pipeline& pipeline_;
  const sender from_;
  const size_t max_in_flight_;
  std::weak_ptr<http::ws_connection> connection_;
  std::string held_frame_;  // read, waiting for room in the budget
  size_t in_flight_ = 0;    // frames read and not yet answered (answer written)
  bool holding_ = false, shutting_down_ = false, closing_ = false, closed_ = false;
};

}  // namespace civic::gateway::ingest
