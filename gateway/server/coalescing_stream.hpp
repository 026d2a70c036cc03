#pragma once
// Private to gateway/server/websocket_session.cpp: the layer under Beast's
// WebSocket stream that lets several frames go out in one system call. Beast
// writes one message per async_write, so each ack frame was one send() (and one
// wake-up of the reader) of its own. Between hold() and flush(), whatever Beast
// writes (our frames, and a pong or close frame it sends itself) is copied into
// one buffer and completes at once; flush() writes that buffer and then stops
// holding. Outside a hold, writes go straight through.
//
// Beast serializes its own writes, and the session starts a hold only when it
// has no write of its own in progress, so held bytes are always whole frames in
// the order Beast produced them, and flush() never overlaps another write.

#include <string>
#include <utility>

#include "gateway/server/beast.hpp"

namespace civic::gateway::server {

template <class NextLayer>
class coalescing_stream {
 public:
  using next_layer_type = NextLayer;
  using executor_type = typename NextLayer::executor_type;

  template <class... Args>
  explicit coalescing_stream(Args&&... args) : next_(std::forward<Args>(args)...) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (!holding_) {
      next_.async_write_some(buffers, std::forward<Handler>(handler));
      return;
    }
    size_t n = net::buffer_size(buffers);
    size_t old = held_.size();
    held_.resize(old + n);
    net::buffer_copy(net::buffer(held_.data() + old, n), buffers);
    auto executor = net::get_associated_executor(handler, get_executor());
    net::post(executor,
              beast::bind_front_handler(std::forward<Handler>(handler), beast::error_code{}, n));
  }

  // From now on writes are collected until flush().
  void hold() { holding_ = true; }
  bool holding() const { return holding_; }

  // Writes what was collected (and whatever is written meanwhile) in as few
  // system calls as the socket allows, then lets writes through again.
  template <class Handler>
  void async_flush(Handler&& handler) {
    if (held_.empty()) {
      holding_ = false;
      net::post(get_executor(),
                beast::bind_front_handler(std::forward<Handler>(handler), beast::error_code{}));
      return;
    }
    sending_.swap(held_);
    held_.clear();
    net::async_write(next_, net::buffer(sending_),
                     [this, handler = std::forward<Handler>(handler)](beast::error_code ec,
                                                                      std::size_t) mutable {
                       sending_.clear();
                       if (ec) {
                         held_.clear();
                         holding_ = false;
                         handler(ec);
                         return;
                       }
                       async_flush(std::move(handler));
                     });
  }

 private:
  NextLayer next_;
  std::string held_;     // collected since hold(), not yet written
  std::string sending_;  // being written by async_flush
  bool holding_ = false;
};

// Closing: whatever is still held (a close frame written during a hold) goes out
// before the socket is shut down.
template <class NextLayer, class Handler>
void async_teardown(beast::role_type role, coalescing_stream<NextLayer>& stream,
                    Handler&& handler) {
  if (!stream.holding()) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
    return;
  }
  stream.async_flush(
      [&stream, role, handler = std::forward<Handler>(handler)](beast::error_code) mutable {
        using boost::beast::websocket::async_teardown;
        async_teardown(role, stream.next_layer(), std::move(handler));
      });
}

template <class NextLayer>
void teardown(beast::role_type role, coalescing_stream<NextLayer>& stream, beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

}  // namespace civic::gateway::server
