#pragma once
// A record on feedback.responses (key: the case id; schemas/response.v1.schema.json):
//   update     a division changes a case's status, answers it, or reassigns it (gateway)
//   support    a citizen backs an idea case (gateway)
//   threshold  an idea case's support crossed a configured threshold (dedup)
// dedup folds every one into its case; the answers service tells the citizens
// about updates and thresholds. Nothing here is personal: staff are named by
// their token's subject, supporters by the envelope's pseudonymous author id.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "common/responses/case_status.hpp"

namespace civic::responses {

enum class response_type { update, support, threshold };
std::string_view to_string(response_type t);

struct answer_text {
  std::string text;      // what the citizens read, as the division wrote it
  std::string language;  // ISO 639 ("ko", "en")
  // The division lets it be published as open data (the /open/ API, the daily
  // export); otherwise it goes only to the citizens who reported the case.
  bool published = false;
  bool operator==(const answer_text&) const = default;
};

struct response {
  int version = 1;
  response_type type = response_type::update;
  std::string id;  // equal for a repeat of the same request: the idempotency key downstream
  std::string case_id;
  std::string locality;  // the case's locality (district or "citywide"): dedup's partition key
  std::string at;        // RFC 3339 UTC

  // update
  std::string division;  // the division that made it (one the case belongs to)
  std::string actor;     // the staff member: their token's subject
  std::optional<case_status> status;
  std::optional<answer_text> answer;
  std::vector<std::string> assign_to;  // the case's divisions from now on, primary first
  std::optional<std::string> expected_at;
  bool notify = true;  // tell the citizens who reported the case

  // support
  std::string supporter;  // pseudonymous author id (32 hex), as in the envelope
  std::string channel;    // where the support came from

  // threshold
  uint64_t threshold = 0;
  std::string milestone;  // what crossing it means: department_answers, public_forum, ...
  uint64_t support_count = 0;

  bool operator==(const response&) const = default;
};

namespace response_limits {
inline constexpr size_t id_chars = 128;
inline constexpr size_t answer_chars = 4000;
inline constexpr size_t assign_divisions = 2;
}  // namespace response_limits

std::string to_json(const response& r);
// Strict: every member of its type present, nothing else, values checked.
expected<response, field_error> parse_json(std::string_view json);

}  // namespace civic::responses
