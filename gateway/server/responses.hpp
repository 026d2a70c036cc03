#pragma once
// The bodies the gateway answers with: WebSocket ack and nack frames
// (schemas/ws-server-frame.v1.schema.json), HTTP results and RFC 9457 problem
// details. No Beast here: unit tests use these directly.

#include <string>
#include <string_view>
#include <vector>

#include "gateway/ingest/pipeline.hpp"

namespace civic::gateway::server {

// {"type":"ack","id","topic","partition","offset"} or
// {"type":"nack","id","code","message","pointer","retryable"}
std::string websocket_frame(const ingest::outcome& o);

// HTTP status for one message's outcome: 200 stored, 400/413 bad input,
// 429 overloaded, 503 unavailable or Kafka failure.
unsigned http_status(const ingest::outcome& o);

// 200 body for one stored message: {"id","status":"stored","topic","partition","offset"}
std::string stored_body(const ingest::outcome& o);

// application/problem+json for a request-level or single-message error.
std::string problem_body(unsigned status, std::error_code code, std::string_view detail,
                         std::string_view pointer, std::string_view id, bool retryable);
std::string problem_body(const ingest::outcome& o);

// NDJSON batch: {"stored":n,"failed":m,"results":[{"line":1,...}, ...]};
// line_numbers[i] is the 1-based line outcomes[i] came from.
std::string batch_body(const std::vector<size_t>& line_numbers,
                       const std::vector<ingest::outcome>& outcomes);

}  // namespace civic::gateway::server
