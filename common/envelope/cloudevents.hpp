#pragma once
// Kafka record headers for an envelope in CloudEvents binary content mode,
// plus W3C trace context when the sender gave one.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope/envelope.hpp"
#include "common/kafka/record.hpp"

namespace civic::envelope {

inline constexpr std::string_view cloudevents_type = "city.feedback.ingested.v1";

// ce_specversion, ce_id, ce_source, ce_type, ce_time, content-type[, traceparent]
std::vector<kafka::header> cloudevents_headers(const message& e,
                                               const std::optional<std::string>& traceparent);

// The same headers as views into `e` and `traceparent` (valid while they live),
// written to `out`; returns how many. Allocates nothing (e.source is set by the
// gateway; `source` holds the fallback when it is not).
using cloudevents_views = std::array<kafka::header_view, 7>;
size_t cloudevents_header_views(const message& e, const std::optional<std::string>& traceparent,
                                std::string& source, cloudevents_views& out);

}  // namespace civic::envelope
