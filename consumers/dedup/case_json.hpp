#pragma once
// A case as JSON: the public record on feedback.cases (schemas/case.v1.schema.json)
// and the full state on the dedup changelog (public fields plus what matching needs).

#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "consumers/dedup/case_state.hpp"

namespace civic::dedup {

// feedback.cases value. members_truncated says report_count exceeds the ids listed.
// An idea's support carries `milestones` (dedup.support_thresholds), so that a
// dashboard shows the count against them; any other case's are null.
std::string case_to_json(const case_state& c,
                         const std::vector<support_threshold>& milestones = {});

// Changelog value, and back. The changelog is internal: a value that does not
// read is reported (and the case skipped) rather than trusted.
std::string state_to_json(const case_state& c);
expected<case_state, std::string> state_from_json(std::string_view json);

}  // namespace civic::dedup
