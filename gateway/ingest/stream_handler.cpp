#include "gateway/ingest/stream_handler.hpp"

#include "common/error/errc.hpp"
#include "gateway/ingest/answers.hpp"

namespace civic::gateway::ingest {

bool stream_handler::wants_frames() const {
  if (holding_ || shutting_down_ || closed_) return false;
  if (in_flight_ >= max_in_flight_) {
    pipeline_.metrics().reading_paused();
    return false;
  }
  return true;
}

void stream_handler::on_frame(std::string data, bool text) {
  ++in_flight_;  // every frame read gets exactly one answer
  if (!text) {
    return send(pipeline_.refuse(
        {},
        field_error{errc::wrong_type, "", "frames must be text frames holding one JSON message"}));
  }
  if (shutting_down_) {
    return send(
        pipeline_.refuse(read_message_id(data, pipeline_.limits()),
                         field_error{errc::shutting_down, "",
                                     "the gateway is shutting down; send the message again"}));
  }
  submit(std::move(data));
}

void stream_handler::submit(std::string frame) {
  auto connection = connection_.lock();
  if (!connection) return;
  auto wake = [weak = weak_from_this(), connection = connection_] {
    if (auto c = connection.lock()) {
      c->post([weak] {
        if (auto self = weak.lock()) self->retry_held();
      });
    }
  };
  auto admitted = pipeline_.admit_or_wait(frame.size(), std::move(wake));
  if (!admitted) {
    holding_ = true;
    held_frame_ = std::move(frame);
    pipeline_.metrics().reading_paused();
    return;
  }
  auto held = std::make_shared<ticket>(std::move(*admitted));
  pipeline_.submit(frame, from_, std::nullopt,
                   [self = shared_from_this(), connection, held](outcome o) mutable {
                     connection->post([self, held, o = std::move(o)]() mutable {
                       held->release();
                       self->send(std::move(o));
                     });
                   });
}

void stream_handler::retry_held() {
  if (!holding_) return;
  holding_ = false;
  submit(std::move(held_frame_));
  if (auto c = connection_.lock()) c->resume();
}

void stream_handler::send(outcome o) {
  if (o.error)
    pipeline_.metrics().nack_sent();
  else
    pipeline_.metrics().ack_sent();
  if (auto c = connection_.lock()) c->send(websocket_frame(o));
}

void stream_handler::on_sent() {
  --in_flight_;
  close_when_idle();
}

void stream_handler::on_shutdown() {
  shutting_down_ = true;
  close_when_idle();
}

// During shutdown: once every frame read has its answer written, close with 1001.
void stream_handler::close_when_idle() {
  if (!shutting_down_ || closing_ || closed_ || in_flight_ > 0 || holding_) return;
  closing_ = true;
  if (auto c = connection_.lock()) c->close(1001);
}

}  // namespace civic::gateway::ingest
