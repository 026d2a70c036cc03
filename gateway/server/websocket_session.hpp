#pragma once
// The WebSocket transport: handshake, frames in and out, pings, close codes
// (RFC 6455), shutdown. What the frames mean is the route's http::ws_handler.

#include <memory>

#include "gateway/http/websocket.hpp"
#include "gateway/server/beast.hpp"
#include "gateway/server/context.hpp"

namespace civic::gateway::server {

// Takes over a connection whose upgrade request has been read and accepted by
// the route's factory.
template <class Stream>
void run_websocket_session(Stream&& stream, request upgrade,
                           std::shared_ptr<api::ws_handler> handler, context& ctx);

}  // namespace civic::gateway::server
