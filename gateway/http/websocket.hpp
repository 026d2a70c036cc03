#pragma once
// A WebSocket endpoint as a module writes it, without Beast: the server
// (gateway/server/websocket_session.cpp) does the handshake, reads frames,
// writes what the handler sends, answers pings and closes; the handler decides
// what frames mean and when the connection may read more.
//
// Threading: every ws_handler method is called on the connection's strand, and
// ws_connection methods must be called there too; from another thread (a
// Kafka delivery report), hop over with connection.post().

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "gateway/http/message.hpp"

namespace civic::gateway::http {

class ws_connection {
 public:
  virtual ~ws_connection() = default;
  // Queues a text frame; frames are written in order.
  virtual void send(std::string text) = 0;
  // Frames queued and not yet written.
  virtual size_t queued() const = 0;
  // Closes with `code` (RFC 6455 §7.4) once every queued frame is written.
  virtual void close(uint16_t code, std::string_view reason = {}) = 0;
  // Asks the server to look at ws_handler::wants_frames() again (after the
  // handler's window opened).
  virtual void resume() = 0;
  // Runs `fn` on the connection's strand, if the connection is still open
  // then; the connection lives at least until it has run.
  virtual void post(std::function<void()> fn) = 0;
};

class ws_handler {
 public:
  virtual ~ws_handler() = default;
  // Once the handshake is done. Keep `c` as a weak_ptr (the connection owns the
  // handler); lock it where work from another thread must come back.
  virtual void on_open(std::shared_ptr<ws_connection> c) = 0;
  // The subprotocol the handshake answers with (Sec-WebSocket-Protocol), chosen
  // by the factory from what the client offered; empty for none.
  virtual std::string subprotocol() const { return {}; }
  // The server reads the next frame only while this is true (TCP backpressure
  // otherwise); it asks again after each frame, each write and each resume().
  virtual bool wants_frames() const { return true; }
  // One whole message; `text` false for a binary frame.
  virtual void on_frame(std::string data, bool text) = 0;
  // A queued frame was written (once per frame, in order; frames queued
  // together may be written in one go).
  virtual void on_sent() {}
  // The gateway is shutting down: stop taking frames, answer what is pending,
  // then close (1001). Reading has stopped already.
  virtual void on_shutdown() = 0;
  // The connection is gone (closed by either side or failed); no more calls.
  virtual void on_closed() {}
};

// Called with the upgrade request: the handler for this connection, or the
// HTTP answer that refuses the upgrade (401, 403, ...).
using ws_factory = std::function<expected<std::shared_ptr<ws_handler>, response>(const request&)>;

}  // namespace civic::gateway::http
