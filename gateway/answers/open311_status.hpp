#pragma once
// Open311 GeoReport v2 answers from the cases: a request's status (open or
// closed), status_notes (the latest answer), agency_responsible (the case's
// division), updated and expected times, for GET requests/{id}.json and
// GET requests.json; and FixMyStreet's updates extension
// (GET servicerequestupdates.json: each status change with its note).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"
#include "gateway/answers/case_directory.hpp"

namespace civic::gateway::answers {

// A request the gateway issued; `service_code` comes from its signed id.
struct open311_view {
  std::string service_request_id;
  std::string service_code;
  std::optional<case_summary> case_state;  // nullopt: not in a case yet (just received)
  std::string requested_at;                // "" unknown
};

std::string request_json(const open311_view& v);  // one object

struct requests_query {
  std::vector<std::string> ids;  // service_request_id=a,b (empty: any)
  std::string service_code;      // "" any
  std::string status;            // "", "open" or "closed"
  std::optional<std::chrono::system_clock::time_point> start, end;  // requested_datetime
  size_t limit = 1000;
};
// From the query string; the error names the parameter.
expected<requests_query, std::string> parse_requests_query(std::string_view query);
// The JSON array for requests.json; `code_of` gives a request id's service code
// (nullopt for an id the gateway did not issue).
std::string requests_json(
    const requests_query& q, const std::vector<std::pair<open311_request, case_summary>>& all,
    const std::function<std::optional<std::string>(std::string_view)>& code_of,
    std::chrono::system_clock::time_point now);

// FixMyStreet's servicerequestupdates.json: updates between start and end (by default the
// last 7 days), oldest first.
std::string updates_json(const std::vector<std::pair<open311_request, case_summary>>& all,
                         std::optional<std::chrono::system_clock::time_point> start,
                         std::optional<std::chrono::system_clock::time_point> end,
                         std::chrono::system_clock::time_point now);

}  // namespace civic::gateway::answers
