#include "gateway/ingest/trace_context.hpp"

#include "common/envelope/field_checks.hpp"

namespace civic::gateway::ingest {

std::optional<std::string> trace_context(const http::header_lookup& header, ops::metrics& m) {
  auto given = header("traceparent");
  if (!given) return std::nullopt;
  if (!envelope::is_traceparent(*given)) {
    m.trace_context_ignored();
    return std::nullopt;
  }
  return std::string(*given);
}

}  // namespace civic::gateway::ingest
