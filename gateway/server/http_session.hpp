#pragma once
// HTTP/1.1 with keep-alive: POST /v1/messages, /healthz, /readyz, /metrics,
// and the upgrade to WebSocket at /v1/stream.

#include "gateway/server/beast.hpp"
#include "gateway/server/context.hpp"

namespace civic::gateway::server {

template <class Stream>
void run_http_session(Stream&& stream, beast::flat_buffer buffer, context& ctx);

}  // namespace civic::gateway::server
