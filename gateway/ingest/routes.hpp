#pragma once
// The ingest API: POST /v1/messages (one JSON message or an NDJSON batch) and
// the WebSocket /v1/stream. Both need a bridge credential.

#include <cstddef>
#include <functional>

#include "common/error/expected.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/ingest/sender.hpp"

namespace civic::gateway::ingest {

// Who sends this request (a bridge, with its grants), or the answer that
// refuses it (401, 403). gateway/auth/ makes one.
using authenticate = std::function<expected<sender, http::response>(const http::request&)>;

struct ingest_settings {
  size_t max_batch_messages = 1000;
  size_t ws_max_in_flight = 256;  // unanswered messages per WebSocket
  bool ws_burst_reports = true;   // delivery reports reach a connection in bursts
};

void add_routes(http::routes& r, pipeline& p, ingest_settings s, authenticate auth);

// The handlers alone, for tests.
http::handler messages_handler(pipeline& p, ingest_settings s, authenticate auth);
http::ws_factory stream_factory(pipeline& p, ingest_settings s, authenticate auth);

}  // namespace civic::gateway::ingest
