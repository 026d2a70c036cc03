#pragma once
// Kafka record headers for an envelope in CloudEvents binary content mode,
// plus W3C trace context when the sender gave one.

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

}  // namespace civic::envelope
