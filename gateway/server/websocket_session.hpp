#pragma once
// WebSocket ingest at /v1/stream: one JSON message per text frame, an ack or
// nack frame for each once Kafka has answered.

#include "gateway/server/beast.hpp"
#include "gateway/server/context.hpp"

namespace civic::gateway::server {

// Takes over a connection whose upgrade request has been read.
template <class Stream>
void run_websocket_session(Stream&& stream, request upgrade, context& ctx);

}  // namespace civic::gateway::server
