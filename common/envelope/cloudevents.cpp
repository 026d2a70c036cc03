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

size_t cloudevents_header_views(const message& e, const std::optional<std::string>& traceparent,
                                std::string& source, cloudevents_views& out) {
  std::string_view ce_source = e.source;
  if (ce_source.empty()) ce_source = source = source_of(e);
  out = {{{"ce_specversion", "1.0"},
          {"ce_id", e.id},
          {"ce_source", ce_source},
          {"ce_type", cloudevents_type},
          {"ce_time", e.received_at},
          {"content-type", "application/json"},
          {"traceparent", {}}}};
  if (!traceparent) return 6;
  out[6].value = *traceparent;
  return 7;
}

}  // namespace civic::envelope
