#pragma once
// What happens to a case after it is reported: its status and their history,
// the latest answer, citizens' support and the thresholds it crossed, the last
// delivery summary, and the Open311 requests among its reports. Folded in from
// feedback.responses and feedback.deliveries (the records' contracts are in
// common/responses/); separate from the matching state, which it never touches.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/responses/case_status.hpp"
#include "common/responses/delivery.hpp"
#include "common/responses/response.hpp"

namespace civic::dedup {

struct status_change {
  std::string update_id;
  responses::case_status status = responses::case_status::received;  // after the update
  std::string at;
  std::string division;
  std::string note;  // the update's answer, cut to note_chars ("" none)
  bool operator==(const status_change&) const = default;
};

struct case_answer {
  std::string update_id;
  std::string text;
  std::string language;
  std::string at;
  std::string division;
  bool published = false;  // the division let it go out as open data
  bool operator==(const case_answer&) const = default;
};

struct threshold_crossed {
  uint64_t threshold = 0;
  std::string milestone;
  std::string at;
  bool operator==(const threshold_crossed&) const = default;
};

struct service_request {
  std::string id;  // the Open311 service_request_id
  std::string requested_at;
  bool operator==(const service_request&) const = default;
};

struct case_lifecycle {
  responses::case_status status = responses::case_status::received;
  std::string updated_at;  // the last update's time ("" none yet)
  // The first update that answered (an answer text, or a status Open311 calls
  // closed): what the statutory clock stops at ("" not yet).
  std::string answered_at;
  std::optional<std::string> expected_at;
  std::optional<case_answer> answer;
  std::vector<status_change> history;       // oldest first, the newest max_history
  std::vector<std::string> recent_updates;  // ids already folded: a repeat changes nothing
  uint64_t support_count = 0;
  std::vector<uint64_t> supporters;  // hashes of supporters' author ids, up to max_supporters
  std::vector<threshold_crossed> thresholds;
  std::optional<responses::delivery_summary> deliveries;  // of the latest update delivered
  std::vector<service_request> service_requests;          // the first max_service_requests
  bool operator==(const case_lifecycle&) const = default;
};

struct support_threshold {
  uint64_t count = 0;
  std::string milestone;
};

struct lifecycle_settings {
  size_t max_history = 32;
  size_t note_chars = 500;
  size_t recent_updates = 64;
  // One supporter is counted once while they fit; beyond, support goes on being
  // counted without that check (the last threshold is far below it).
  size_t max_supporters = 5000;
  size_t max_service_requests = 64;
  // After Democracy Seoul: 50 supporters and the department answers, 100 open a
  // public forum, 1,000 and the mayor answers.
  std::vector<support_threshold> thresholds{
      {50, "department_answers"}, {100, "public_forum"}, {1000, "mayor_answers"}};
};

// "50:department_answers,100:public_forum": ascending counts, each once.
expected<std::vector<support_threshold>, std::string> parse_thresholds(std::string_view text);

// The case-level part of folding one response: changes `lifecycle` (and, for a
// reassignment, `divisions`) and returns whether anything changed. A repeated
// response id changes nothing. Threshold events a support record causes are
// appended to `crossed` (the caller publishes them).
bool fold_response(case_lifecycle& lifecycle, std::vector<std::string>& divisions,
                   const responses::response& r, const lifecycle_settings& settings,
                   std::vector<responses::response>& crossed);

// A newer summary of the same or a later update replaces the one held.
bool fold_delivery_summary(case_lifecycle& lifecycle, const responses::delivery_summary& s);

// Records an Open311 report of the case (while there is room).
void note_service_request(case_lifecycle& lifecycle, std::string_view request_id,
                          std::string_view requested_at, const lifecycle_settings& settings);

}  // namespace civic::dedup
