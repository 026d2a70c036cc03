#include "gateway/server/websocket_session.hpp"

#include <algorithm>
#include <deque>
#include <memory>

#include "common/log/log.hpp"
#include "gateway/server/coalescing_stream.hpp"

namespace civic::gateway::server {
namespace {

// RFC 6455 §7.4: the codes a peer may send in a close frame (1000-1003,
// 1007-1014 as registered with IANA, 3000-4999 for libraries and
// applications). Beast echoes anything else at or above 3000, and takes 5000+.
bool is_sendable_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

template <class Stream>
class websocket_session final : public session,
                                public api::ws_connection,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(Stream&& stream, std::shared_ptr<api::ws_handler> handler, context& ctx)
      : ws_(std::move(stream)), handler_(std::move(handler)), ctx_(ctx) {}

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
        [protocol = handler_->subprotocol()](websocket::response_type& res) {
          res.set(http::field::server, "civic-gateway");
          if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
        }));
    // Messages up to the HTTP body limit are read (so a message too large for
    // its handler can be refused precisely); beyond it the connection closes (1009).
    ws_.read_message_max(ctx_.settings.max_body_bytes);
    ws_.control_callback(
        [weak = this->weak_from_this()](websocket::frame_type kind, beast::string_view) {
          if (kind != websocket::frame_type::close) return;
          if (auto self = weak.lock()) self->on_peer_close();
        });
    ws_.async_accept(upgrade, beast::bind_front_handler(&websocket_session::on_accept,
                                                        this->shared_from_this()));
  }

  void begin_shutdown() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->shutting_down_) return;
      self->shutting_down_ = true;
      if (self->open_ && !self->failed_) self->handler_->on_shutdown();
    });
  }

  // ws_connection, on the strand.
  void send(std::string text) override {
    if (failed_ || closing_) return;
    outbox_.push_back(std::move(text));
    write_next();
  }
  size_t queued() const override { return outbox_.size(); }
  void close(uint16_t code, std::string_view reason) override {
    if (close_requested_ || failed_) return;
    close_requested_ = true;
    close_code_ = code;
    close_text_ = std::string(reason.substr(0, 120));  // a close frame holds 123 bytes
    if (!writing_ && outbox_.empty()) start_close();
  }
  void resume() override { read_next(); }
  // The posted work keeps the connection alive until it has run: an answer
  // posted by the last delivery report must still be written.
  void post(std::function<void()> fn) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), fn = std::move(fn)] {
      if (!self->failed_) fn();
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish(ec);
    open_ = true;
    handler_->on_open(this->shared_from_this());
    if (ctx_.shutting_down || shutting_down_) {
      shutting_down_ = true;
      handler_->on_shutdown();
    }
    read_next();
  }

  void read_next() {
    // After shutdown begins nothing new is read: the connection drains and closes.
    if (reading_ || closing_ || failed_ || shutting_down_ || close_requested_) return;
    if (!handler_->wants_frames()) return;  // resumed by the handler, a write or resume()
    reading_ = true;
    ws_.async_read(
        buffer_, beast::bind_front_handler(&websocket_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) return finish(ec);
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    handler_->on_frame(std::move(frame), ws_.got_text());
    read_next();
  }

  // A close frame arrived (Beast has read its code, and will echo it): a code
  // no endpoint may send fails the connection with 1002 instead.
  void on_peer_close() {
    uint16_t code = ws_.reason().code;
    if (code == 0 /* no code given */ || is_sendable_close_code(code)) return;
    protocol_violation_ = true;
    if (closing_ || failed_) return;
    closing_ = true;
    ws_.async_close(
        websocket::close_reason(websocket::close_code::protocol_error),
        beast::bind_front_handler(&websocket_session::on_close, this->shared_from_this()));
  }

  // One frame queued: written at once. More: written into one buffer and sent
  // together (coalescing_stream), one system call for the lot instead of one each.
  void write_next() {
    if (writing_ || failed_ || outbox_.empty() || closing_) return;
    writing_ = true;
    ws_.text(true);
    if (outbox_.size() == 1 || !ctx_.settings.ws_coalesce_writes) {
      burst_ = 1;
      ws_.async_write(
          net::buffer(outbox_.front()),
          beast::bind_front_handler(&websocket_session::on_written, this->shared_from_this()));
      return;
    }
    burst_ = outbox_.size();
    ws_.next_layer().hold();
    write_held(0);
  }

  void write_held(size_t index) {
    ws_.async_write(net::buffer(outbox_[index]),
                    [self = this->shared_from_this(), index](beast::error_code ec, std::size_t) {
                      if (ec) {
                        self->writing_ = false;
                        return self->finish(ec);
                      }
                      if (index + 1 < self->burst_) return self->write_held(index + 1);
                      self->ws_.next_layer().async_flush(
                          beast::bind_front_handler(&websocket_session::on_flushed, self));
                    });
  }

  void on_flushed(beast::error_code ec) { on_written(ec, 0); }

  void on_written(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return finish(ec);
    // Every frame of the burst leaves the outbox before the handler hears of
    // any: what it sends in answer starts the next burst.
    size_t written = burst_;
    for (size_t i = 0; i < written; ++i) outbox_.pop_front();
    for (size_t i = 0; i < written && !failed_; ++i) handler_->on_sent();
    if (!outbox_.empty()) {
      write_next();
    } else if (close_requested_) {
      start_close();
    }
    read_next();
  }

  void start_close() {
    if (closing_ || failed_) return;
    closing_ = true;
    if (close_code_ == websocket::close_code::going_away)
      close_reason_ = ops::close_reason::shutdown;
    websocket::close_reason why(close_code_);
    why.reason = close_text_;
    ws_.async_close(
        why, beast::bind_front_handler(&websocket_session::on_close, this->shared_from_this()));
  }

  void on_close(beast::error_code ec) {
    if (ec) return finish(ec);
    if (protocol_violation_) close_reason_ = ops::close_reason::protocol_error;
    done();
  }

  // The one place that decides what an I/O error means for this connection.
  void finish(beast::error_code ec) {
    if (failed_) return;
    if (!closing_) {
      if (protocol_violation_) {
        close_reason_ = ops::close_reason::protocol_error;
      } else if (ec == websocket::error::closed || ec == net::error::eof ||
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
    } else if (protocol_violation_) {
      close_reason_ = ops::close_reason::protocol_error;
    }
    done();
  }

  void done() {
    if (failed_) return;
    failed_ = true;
    if (open_) handler_->on_closed();
    ctx_.sessions.remove(this);
  }

  websocket::stream<coalescing_stream<Stream>> ws_;
  std::shared_ptr<api::ws_handler> handler_;
  context& ctx_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // bounded by the handler (it sends one answer per frame read)
  size_t burst_ = 0;                // frames of the outbox being written
  std::string close_text_;
  uint16_t close_code_ = websocket::close_code::normal;
  bool open_ = false, reading_ = false, writing_ = false, shutting_down_ = false;
  bool close_requested_ = false, closing_ = false, failed_ = false, protocol_violation_ = false;
  ops::close_reason close_reason_ = ops::close_reason::client;
};

}  // namespace

template <class Stream>
void run_websocket_session(Stream&& stream, request upgrade,
                           std::shared_ptr<api::ws_handler> handler, context& ctx) {
  std::make_shared<websocket_session<Stream>>(std::move(stream), std::move(handler), ctx)
      ->start(std::move(upgrade));
}

template void run_websocket_session<plain_stream>(plain_stream&&, request,
                                                  std::shared_ptr<api::ws_handler>, context&);
template void run_websocket_session<tls_stream>(tls_stream&&, request,
                                                std::shared_ptr<api::ws_handler>, context&);

}  // namespace civic::gateway::server
