#include "gateway/server/websocket_session.hpp"

#include <algorithm>
#include <deque>
#include <memory>

#include "common/error/errc.hpp"
#include "common/log/log.hpp"
#include "gateway/server/responses.hpp"

namespace civic::gateway::server {
namespace {

// Flow control, in order of the steps a frame takes:
// - the connection reads only while fewer than ws_max_in_flight of its frames
//   are unanswered (an answer counts until it is written, so a client that does
//   not read its acks stops being read: TCP backpressure, flat memory);
// - a frame read is held until the global in-flight budget has room for it;
// - the pipeline's answer is posted back to this strand and written.
template <class Stream>
class websocket_session final : public session,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(Stream&& stream, context& ctx) : ws_(std::move(stream)), ctx_(ctx) {}

  ~websocket_session() override {
    ctx_.svc.metrics.connection_closed(ops::protocol::websocket, close_reason_);
  }

  void start(request upgrade) {
    ctx_.sessions.add(this->shared_from_this());
    ctx_.svc.metrics.connection_opened(ops::protocol::websocket);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
    websocket::stream_base::timeout timeouts =
        websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = ctx_.settings.ws_idle_timeout;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "civic-gateway"); }));
    // Frames up to the HTTP body limit are read so that an oversized message
    // gets a too_large nack; only beyond that is the connection closed (1009).
    ws_.read_message_max(
        std::max(ctx_.settings.max_body_bytes, ctx_.svc.pipeline.limits().max_message_bytes));
    ws_.async_accept(upgrade, beast::bind_front_handler(&websocket_session::on_accept,
                                                        this->shared_from_this()));
  }

  void begin_shutdown() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      self->close_when_idle();
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish(ec);
    if (ctx_.shutting_down) {
      shutting_down_ = true;
      return close_when_idle();
    }
    read_next();
  }

  void read_next() {
    // After shutdown begins nothing new is read: the connection drains and closes.
    if (reading_ || closing_ || holding_ || failed_ || shutting_down_) return;
    if (in_flight_ >= ctx_.settings.ws_max_in_flight) {
      ctx_.svc.metrics.reading_paused();
      return;  // resumed by on_write when an answer has gone out
    }
    reading_ = true;
    ws_.async_read(
        buffer_, beast::bind_front_handler(&websocket_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) return finish(ec);
    ++in_flight_;  // every frame read gets exactly one answer
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (!ws_.got_text()) {
      answer_now({}, errc::wrong_type, "frames must be text frames holding one JSON message",
                 false);
    } else if (shutting_down_) {
      answer_now(ingest::read_message_id(frame, ctx_.svc.pipeline.limits()), errc::shutting_down,
                 "the gateway is shutting down; send the message again", true);
    } else {
      submit(std::move(frame));
    }
    read_next();
  }

  void submit(std::string frame) {
    size_t bytes = frame.size();
    if (!ctx_.svc.budget.try_acquire(bytes)) {
      holding_ = true;
      held_frame_ = std::move(frame);
      ctx_.svc.metrics.reading_paused();
      ctx_.svc.budget.wait([weak = this->weak_from_this(), executor = ws_.get_executor()] {
        net::post(executor, [weak] {
          if (auto self = weak.lock()) self->retry_held();
        });
      });
      return;
    }
    ctx_.svc.pipeline.submit(
        frame, std::nullopt, [self = this->shared_from_this(), bytes](ingest::outcome o) {
          auto executor = self->ws_.get_executor();
          net::post(executor, [self = std::move(self), bytes, o = std::move(o)]() mutable {
            self->ctx_.svc.budget.release(bytes);
            self->send(websocket_frame(o), !o.error);
          });
        });
  }

  void retry_held() {
    if (!holding_) return;
    holding_ = false;
    submit(std::move(held_frame_));
    read_next();
  }

  void answer_now(std::string id, errc code, std::string message, bool retryable) {
    ingest::outcome o;
    o.id = std::move(id);
    o.error = field_error{code, "", std::move(message)};
    o.retryable = retryable;
    if (retryable)
      ctx_.svc.metrics.refused(code);
    else
      ctx_.svc.metrics.rejected(code);
    send(websocket_frame(o), false);
  }

  void send(std::string frame, bool is_ack) {
    if (is_ack)
      ctx_.svc.metrics.ack_sent();
    else
      ctx_.svc.metrics.nack_sent();
    outbox_.push_back(std::move(frame));
    if (!writing_) write_next();
  }

  void write_next() {
    if (failed_ || outbox_.empty()) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        net::buffer(outbox_.front()),
        beast::bind_front_handler(&websocket_session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return finish(ec);
    outbox_.pop_front();
    --in_flight_;
    if (!outbox_.empty())
      write_next();
    else
      close_when_idle();
    read_next();
  }

  // During shutdown: once every frame read has its answer written, close with 1001.
  void close_when_idle() {
    if (!shutting_down_ || closing_ || failed_ || in_flight_ > 0 || writing_ || holding_) return;
    closing_ = true;
    close_reason_ = ops::close_reason::shutdown;
    ws_.async_close(
        websocket::close_code::going_away,
        beast::bind_front_handler(&websocket_session::on_close, this->shared_from_this()));
  }

  void on_close(beast::error_code ec) {
    if (ec) return finish(ec);
    ctx_.sessions.remove(this);
  }

  // The one place that decides what an I/O error means for this connection.
  void finish(beast::error_code ec) {
    if (failed_) return;
    failed_ = true;
    if (!closing_) {
      if (ec == websocket::error::closed || ec == net::error::eof ||
          ec == net::error::connection_reset) {
        close_reason_ = ops::close_reason::client;
      } else if (ec == beast::error::timeout) {
        close_reason_ = ops::close_reason::idle_timeout;
      } else if (ec.category() == make_error_code(websocket::error::closed).category()) {
        close_reason_ = ops::close_reason::protocol_error;
      } else {
        close_reason_ = ops::close_reason::io_error;
      }
      if (close_reason_ != ops::close_reason::client) {
        log::info("websocket.closed", {{"reason", ec.message()}});
      }
    }
    ctx_.sessions.remove(this);
  }

  websocket::stream<Stream> ws_;
  context& ctx_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // at most ws_max_in_flight answers
  std::string held_frame_;
  size_t in_flight_ = 0;
  bool reading_ = false, writing_ = false, holding_ = false;
  bool shutting_down_ = false, closing_ = false, failed_ = false;
  ops::close_reason close_reason_ = ops::close_reason::client;
};

}  // namespace

template <class Stream>
void run_websocket_session(Stream&& stream, request upgrade, context& ctx) {
  std::make_shared<websocket_session<Stream>>(std::move(stream), ctx)->start(std::move(upgrade));
}

template void run_websocket_session<plain_stream>(plain_stream&&, request, context&);
template void run_websocket_session<tls_stream>(tls_stream&&, request, context&);

}  // namespace civic::gateway::server
