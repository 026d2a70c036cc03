#include "gateway/ingest/stream_handler.hpp"

#include "common/error/errc.hpp"
#include "gateway/ingest/answers.hpp"

namespace civic::gateway::ingest {

std::string stream_handler::subprotocol() const {
  return options_.batch_acks ? std::string(batch_acks_subprotocol) : std::string();
}

bool stream_handler::wants_frames() const {
  if (holding_ || shutting_down_ || closed_) return false;
  if (in_flight_ >= options_.max_in_flight) {
    pipeline_.metrics().reading_paused();
    return false;
  }
  return true;
}

void stream_handler::on_frame(std::string data, bool text) {
  ++in_flight_;  // every frame read gets exactly one answer
  if (!text) {
    return answer(pipeline_.refuse(
        {},
        field_error{errc::wrong_type, "", "frames must be text frames holding one JSON message"}));
  }
  if (shutting_down_) {
    return answer(
        pipeline_.refuse(read_message_id(data, pipeline_.limits()),
                         field_error{errc::shutting_down, "",
                                     "the gateway is shutting down; send the message again"}));
  }
  submit(std::move(data));
}

void stream_handler::submit(std::string frame) {
  auto connection = connection_.lock();
  if (!connection) return;
  // The wake-up holds the connection: while it waits for room, no read or write
  // of its own is pending, and nothing else would keep it open (it closed at once,
  // its frame unanswered, when the global budget was full).
  auto wake = [weak = weak_from_this(), connection] {
    connection->post([weak] {
      if (auto self = weak.lock()) self->retry_held();
    });
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
                   [self = shared_from_this(), connection, held](outcome o) {
                     // Kafka has the message (or refused it): its bytes are free now.
                     held->release();
                     self->arrive(*connection, std::move(o));
                   });
}

void stream_handler::retry_held() {
  if (!holding_) return;
  holding_ = false;
  submit(std::move(held_frame_));
  if (auto c = connection_.lock()) c->resume();
}

void stream_handler::arrive(http::ws_connection& c, outcome o) {
  if (!options_.burst_reports) {
    c.post([self = shared_from_this(), o = std::move(o)]() mutable {
      self->answer(std::move(o));
      self->send_waiting_acks();
    });
    return;
  }
  bool first = false;
  {
    std::lock_guard lock(arrived_mutex_);
    first = arrived_.empty();
    arrived_.push_back(std::move(o));
  }
  // Whoever finds the queue empty wakes the strand; the rest join that wake-up.
  if (first) c.post([self = shared_from_this()] { self->take_arrived(); });
}

void stream_handler::take_arrived() {
  {
    std::lock_guard lock(arrived_mutex_);
    taking_.swap(arrived_);
  }
  for (auto& o : taking_) answer(std::move(o));
  taking_.clear();
  send_waiting_acks();
}

void stream_handler::answer(outcome o) {
  if (o.error)
    pipeline_.metrics().nack_sent();
  else
    pipeline_.metrics().ack_sent();
  if (options_.batch_acks && !o.error) {
    acks_waiting_.push_back(std::move(o));
    return;
  }
  queue_frame(websocket_frame(o), 1);
}

// Batched acks go out as soon as nothing is being written, so they wait no
// longer than the write in progress: one frame for all that came meanwhile.
void stream_handler::send_waiting_acks() {
  if (acks_waiting_.empty()) return;
  auto c = connection_.lock();
  if (!c || c->queued() > 0) return;  // on_sent() comes back here
  size_t answers = acks_waiting_.size();
  std::string frame = websocket_acks_frame(acks_waiting_);
  acks_waiting_.clear();
  queue_frame(std::move(frame), answers);
}

void stream_handler::queue_frame(std::string frame, size_t answers) {
  auto c = connection_.lock();
  if (!c) return;
  answers_in_frame_.push_back(answers);
  c->send(std::move(frame));
}

void stream_handler::on_sent() {
  size_t answers = 1;
  if (!answers_in_frame_.empty()) {
    answers = answers_in_frame_.front();
    answers_in_frame_.pop_front();
  }
  in_flight_ -= std::min(answers, in_flight_);
  send_waiting_acks();
  close_when_idle();
}

void stream_handler::on_shutdown() {
  shutting_down_ = true;
  if (holding_) {  // waiting for room that may not come before the drain ends
    holding_ = false;
    answer(pipeline_.refuse(read_message_id(held_frame_, pipeline_.limits()),
                            field_error{errc::shutting_down, "",
                                        "the gateway is shutting down; send the message again"}));
    held_frame_.clear();
  }
  close_when_idle();
}

// During shutdown: once every frame read has its answer written, close with 1001.
void stream_handler::close_when_idle() {
  if (!shutting_down_ || closing_ || closed_ || in_flight_ > 0 || holding_) return;
  closing_ = true;
  if (auto c = connection_.lock()) c->close(1001);
}

}  // namespace civic::gateway::ingest
