#pragma once
// HTTP/1.1 with keep-alive: reads a request under strict limits (one Host,
// header size and count), finds its route, hands it to the route's handler and
// writes the answer; an upgrade goes to the route's WebSocket handler.

#include "gateway/server/beast.hpp"
#include "gateway/server/context.hpp"

namespace civic::gateway::server {

template <class Stream>
void run_http_session(Stream&& stream, beast::flat_buffer buffer, context& ctx);

}  // namespace civic::gateway::server
