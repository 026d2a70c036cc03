#pragma once
// A message's outcome in each protocol: WebSocket ack and nack frames
// (schemas/ws-server-frame.v1.schema.json), the HTTP answer for one message,
// and the NDJSON batch answer. Errors take their status, code and retryable
// flag from common/error/errc.cpp, through http::problem().

#include <string>
#include <vector>

#include "gateway/http/message.hpp"
#include "gateway/ingest/pipeline.hpp"

namespace civic::gateway::ingest {

// {"type":"ack","id","topic","partition","offset"} or
// {"type":"nack","id","code","message","pointer","retryable"}
std::string websocket_frame(const outcome& o);

// {"type":"acks","acks":[{"id","topic","partition","offset"}, ...]}: many acks in
// one frame, for a bridge that asked for civic.batch-acks.v1. Outcomes without error.
std::string websocket_acks_frame(const std::vector<outcome>& acks);

// 200 {"id","status":"stored","topic","partition","offset"}, or the error's
// problem+json answer.
http::response http_answer(const outcome& o);

// NDJSON batch: 200 {"stored":n,"failed":m,"results":[{"line":1,...}, ...]};
// line_numbers[i] is the 1-based line outcomes[i] came from.
std::string batch_body(const std::vector<size_t>& line_numbers,
                       const std::vector<outcome>& outcomes);

}  // namespace civic::gateway::ingest
