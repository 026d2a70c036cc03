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

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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
  // system calls as the socket allows, then lets writes through again. A flush
  // asked for while one is under way (the teardown of a connection whose flush
  // waits on a reader that does not read) completes when that one does: two
  // writes at once on the socket broke Beast's one-write-at-a-time rule (its
  // assertion aborted the gateway) and swapped the buffer being written.
  template <class Handler>
  void async_flush(Handler&& handler) {
    if (flushing_) {
      auto waiting = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
      after_flush_.push_back([waiting](beast::error_code ec) { (*waiting)(ec); });
      return;
    }
    flush_held(std::forward<Handler>(handler));
  }

 private:
  template <class Handler>
  void flush_held(Handler&& handler) {
    if (held_.empty()) {
      holding_ = false;
      finish_flush(std::forward<Handler>(handler), beast::error_code{});
      return;
    }
    flushing_ = true;
    sending_.swap(held_);
    held_.clear();
    net::async_write(next_, net::buffer(sending_),
                     [this, handler = std::forward<Handler>(handler)](beast::error_code ec,
                                                                      std::size_t) mutable {
                       sending_.clear();
                       if (ec) {
                         held_.clear();
                         holding_ = false;
                         finish_flush(std::move(handler), ec);
                         return;
                       }
                       flush_held(std::move(handler));
                     });
  }
  template <class Handler>
  void finish_flush(Handler&& handler, beast::error_code ec) {
    flushing_ = false;
    std::vector<std::function<void(beast::error_code)>> waiting;
    waiting.swap(after_flush_);
    net::post(get_executor(), beast::bind_front_handler(std::forward<Handler>(handler), ec));
    for (auto& w : waiting) net::post(get_executor(), [w = std::move(w), ec] { w(ec); });
  }

  NextLayer next_;
  std::string held_;     // collected since hold(), not yet written
  std::string sending_;  // being written by async_flush
  bool holding_ = false;
  bool flushing_ = false;  // a flush's write is under way
  std::vector<std::function<void(beast::error_code)>> after_flush_;
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
