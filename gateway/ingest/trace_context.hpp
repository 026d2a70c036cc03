#pragma once
// The W3C Trace Context of a request: a valid traceparent header is carried to
// the Kafka record; an invalid one is ignored and counted, never stored.

#include <optional>
#include <string>

#include "gateway/http/message.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::ingest {

std::optional<std::string> trace_context(const http::header_lookup& header, ops::metrics& m);

}  // namespace civic::gateway::ingest
