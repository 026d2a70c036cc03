#include "common/responses/case_status.hpp"

#include <array>

namespace civic::responses {
namespace {

struct status_names {
  case_status status;
  std::string_view name;
  std::string_view fixmystreet;
  bool open;
};

constexpr std::array<status_names, 11> table{{
    {case_status::received, "received", "OPEN", true},
    {case_status::assigned, "assigned", "OPEN", true},
    {case_status::investigating, "investigating", "INVESTIGATING", true},
    {case_status::in_progress, "in_progress", "IN_PROGRESS", true},
    {case_status::action_scheduled, "action_scheduled", "ACTION_SCHEDULED", true},
    {case_status::fixed, "fixed", "FIXED", false},
    {case_status::answered, "answered", "CLOSED", false},
    {case_status::duplicate, "duplicate", "DUPLICATE", false},
    {case_status::not_responsible, "not_responsible", "NOT_COUNCILS_RESPONSIBILITY", false},
    {case_status::closed, "closed", "CLOSED", false},
    {case_status::reopened, "reopened", "REOPEN", true},
}};

constexpr std::array<case_status, 11> statuses{
    case_status::received,    case_status::assigned,         case_status::investigating,
    case_status::in_progress, case_status::action_scheduled, case_status::fixed,
    case_status::answered,    case_status::duplicate,        case_status::not_responsible,
    case_status::closed,      case_status::reopened};

const status_names& names_of(case_status s) {
  for (const auto& entry : table) {
    if (entry.status == s) return entry;
  }
  return table[0];
}

}  // namespace

std::span<const case_status> all_statuses() { return statuses; }

std::string_view to_string(case_status s) { return names_of(s).name; }

std::optional<case_status> parse_status(std::string_view text) {
  for (const auto& entry : table) {
    if (entry.name == text) return entry.status;
  }
  return std::nullopt;
}

bool is_open(case_status s) { return names_of(s).open; }

std::string_view fixmystreet_status(case_status s) { return names_of(s).fixmystreet; }

}  // namespace civic::responses
