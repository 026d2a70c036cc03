#pragma once
// A case's lifecycle: Seoul Eungdapso's stages (received, a division assigned,
// in progress, answered) with FixMyStreet's extended statuses, and what each
// one is for Open311 (open or closed) and for FixMyStreet's updates extension.

#include <optional>
#include <span>
#include <string_view>

namespace civic::responses {

enum class case_status {
  received,          // the city has it (every case starts here)
  assigned,          // a division took it
  investigating,     // someone is looking at it
  in_progress,       // being handled
  action_scheduled,  // work is planned (expected_at says when)
  fixed,             // the problem is gone
  answered,          // a question or idea was answered
  duplicate,         // the same issue as another case
  not_responsible,   // not the city's to handle (FixMyStreet: not the council's responsibility)
  closed,            // nothing further will be done
  reopened,          // a closed case is open again
};

std::span<const case_status> all_statuses();
std::string_view to_string(case_status s);
std::optional<case_status> parse_status(std::string_view text);

// Open311 GeoReport v2: "open" or "closed".
bool is_open(case_status s);
inline std::string_view open311_status(case_status s) { return is_open(s) ? "open" : "closed"; }

// FixMyStreet's extended status (servicerequestupdates.json): OPEN, INVESTIGATING,
// IN_PROGRESS, ACTION_SCHEDULED, FIXED, CLOSED, DUPLICATE,
// NOT_COUNCILS_RESPONSIBILITY, REOPEN.
std::string_view fixmystreet_status(case_status s);

}  // namespace civic::responses
