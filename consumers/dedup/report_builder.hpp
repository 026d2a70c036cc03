#pragma once
// Reports from what dedup reads: envelopes v1 (the service) and corpus lines
// (`dedup cluster`, ../shared/corpus/README.md).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/envelope/envelope.hpp"
#include "common/error/expected.hpp"
#include "consumers/dedup/placement.hpp"
#include "consumers/dedup/report.hpp"

namespace civic::dedup {

placement_input placement_input_of(const envelope::message& e);

// How far ahead of this host's clock a report's time may be; later times are
// taken as this much ahead.
inline constexpr int64_t max_clock_lead_ms = 10 * 60 * 1000;
int64_t wall_clock_ms();

// The envelope's own district wins over the classifier's; a received_at more
// than max_clock_lead_ms ahead of now counts as now + max_clock_lead_ms. An
// error when received_at is not RFC 3339 (the parser has checked it already).
expected<report, std::string> report_from_envelope(const envelope::message& e, const placement& p);

// A corpus line: id, channel, source_id, received_at, author, text, lat, lon,
// address (labels are ignored). The idempotency key is channel + source_id as
// the gateway forms it; the author pseudonym is a hash of the handle alone, so
// the same handle on two channels is the same author here (see the README).
expected<report, std::string> report_from_corpus_line(std::string_view line,
                                                      const placement_function& place);

}  // namespace civic::dedup
