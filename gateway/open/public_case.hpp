#pragma once
// What open data says about one case: read from its feedback.cases record,
// keeping only what may be published. Never a citizen's text, pseudonym, reply
// token, location or report id; the division's answer text only when the
// division marked it public. The internal case id is replaced by an opaque
// public id (HMAC-SHA256 under a key of the gateway's), so a published id
// cannot be guessed, nor turned back into the case or its first report.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::gateway::open {

struct public_answer {
  std::string text;
  std::string language;
  std::string at;
};

struct public_case {
  std::string public_id;
  std::vector<std::string> divisions;   // primary first
  std::optional<std::string> district;  // nullopt: citywide
  std::string kind;
  std::string status;          // the lifecycle status (received ... closed, reopened)
  std::string open311_status;  // open or closed
  std::string opened_at;       // first report (RFC 3339 UTC)
  std::optional<std::string> first_answered_at;
  std::optional<std::string> closed_at;  // when it last moved to a closed status, if it is closed
  std::optional<std::string> service_class;
  std::optional<std::string> due_at;
  std::optional<bool> on_time;  // null while unanswered
  uint64_t report_count = 0;
  uint64_t support_count = 0;
  std::vector<std::string> channels;
  std::optional<public_answer> answer;

  // Internal, never written out: for k-anonymity and arithmetic.
  std::vector<uint32_t> citizen_marks;
  int64_t opened_ms = 0;
  std::optional<int64_t> answered_ms;
  std::optional<int64_t> due_ms;
};

// "oc-" and 24 hex digits of HMAC-SHA256(key, "open-case:" + case id).
std::string public_id(std::string_view key, std::string_view case_id);

expected<public_case, std::string> public_case_from_json(std::string_view case_json,
                                                         std::string_view id_key);

// Whether it is late at `now_ms`: answered after its due time, or unanswered
// past it (the one view that reads a clock); nullopt when it has no clock.
std::optional<bool> late_at(const public_case& c, int64_t now_ms);

// Its published JSON object (the OpenAPI document's OpenCase); `now_ms` for
// `late`, which the daily export (no wall clock) leaves out.
std::string to_json(const public_case& c, std::optional<int64_t> now_ms);

}  // namespace civic::gateway::open
