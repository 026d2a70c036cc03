#include "common/envelope/cloudevents.hpp"

namespace civic::envelope {

std::vector<kafka::header> cloudevents_headers(const message& e,
                                               const std::optional<std::string>& traceparent) {
  std::vector<kafka::header> headers{
      {"ce_specversion", "1.0"},   {"ce_id", e.id},
      {"ce_source", source_of(e)}, {"ce_type", std::string(cloudevents_type)},
      {"ce_time", e.received_at},  {"content-type", "application/json"},
  };
  if (traceparent) headers.push_back({"traceparent", *traceparent});
  return headers;
}

}  // namespace civic::envelope
