#include "gateway/open/daily_export.hpp"

#include <algorithm>

namespace civic::gateway::open {
namespace {

struct column {
  const char* name;
  const char* type;
  const char* meaning;
};

// The CSV's columns, in order; the JSON Lines rows carry the same facts under
// the API's names (lists as arrays, the answer as an object).
constexpr column columns[] = {
    {"id", "string", "Opaque public case id (oc- and 24 hex digits); stable, not the internal id."},
    {"division", "string", "The division responsible (primary)."},
    {"divisions", "string list (; in CSV)", "Every division the case belongs to, primary first."},
    {"district", "string or empty", "The gu (e.g. Jongno-gu); empty: citywide."},
    {"kind", "complaint|idea|praise|question", "What the first report was."},
    {"status", "string",
     "Where the case stands: received, assigned, investigating, in_progress, "
     "action_scheduled, fixed, answered, duplicate, not_responsible, closed, reopened."},
    {"open311_status", "open|closed", "Open311's view of the status."},
    {"opened_at", "RFC 3339 UTC", "When the city had the first report."},
    {"first_answered_at", "RFC 3339 UTC or empty",
     "The division's first answer (or closing status)."},
    {"closed_at", "RFC 3339 UTC or empty", "When it last moved to a closed status, if closed."},
    {"service_class", "string or empty",
     "Statutory class: grievance (7 working days), proposal (14), "
     "simple_question (7), immediate (3 working hours); empty: none."},
    {"due_at", "RFC 3339 UTC or empty",
     "When the statutory limit ends (working days and holidays counted)."},
    {"on_time", "true|false or empty", "First answered by due_at; empty while unanswered."},
    {"report_count", "integer", "Reports in the case (exact duplicates not counted)."},
    {"support_count", "integer", "Citizens who backed it (one each)."},
    {"channels", "string list (; in CSV)", "Where its reports came from."},
    {"answer_text", "string or empty",
     "The division's latest answer, only when it marked it public."},
    {"answer_language", "string or empty", "ISO 639 language of the answer."},
    {"answer_at", "RFC 3339 UTC or empty", "When that answer was given."},
};

std::string quoted(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) out += (i ? ";" : "") + list[i];
  return out;
}

void csv_row(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += quoted(fields[i]);
  }
  out += "\r\n";  // RFC 4180
}

}  // namespace

export_files build_export(std::span<const public_case> cases, int64_t day, int utc_offset_minutes) {
  constexpr int64_t day_ms = 86'400'000;
  int64_t begin = day * day_ms - utc_offset_minutes * 60'000LL;
  std::vector<const public_case*> rows;
  for (const auto& c : cases) {
    if (c.opened_ms >= begin && c.opened_ms < begin + day_ms) rows.push_back(&c);
  }
  std::sort(rows.begin(), rows.end(), [](const public_case* a, const public_case* b) {
    if (a->opened_ms != b->opened_ms) return a->opened_ms < b->opened_ms;
    return a->public_id < b->public_id;
  });
  export_files out;
  out.rows = rows.size();
  std::vector<std::string> header;
  for (const auto& col : columns) header.emplace_back(col.name);
  csv_row(out.csv, header);
  auto opt = [](const std::optional<std::string>& v) { return v.value_or(""); };
  for (const auto* c : rows) {
    csv_row(out.csv, {c->public_id, c->divisions.front(), joined(c->divisions), opt(c->district),
                      c->kind, c->status, c->open311_status, c->opened_at,
                      opt(c->first_answered_at), opt(c->closed_at), opt(c->service_class),
                      opt(c->due_at), c->on_time ? (*c->on_time ? "true" : "false") : "",
                      std::to_string(c->report_count), std::to_string(c->support_count),
                      joined(c->channels), c->answer ? c->answer->text : "",
                      c->answer ? c->answer->language : "", c->answer ? c->answer->at : ""});
    out.jsonl += to_json(*c, std::nullopt);
    out.jsonl += '\n';
  }
  csv_row(out.dictionary_csv, {"field", "type", "meaning"});
  for (const auto& col : columns) csv_row(out.dictionary_csv, {col.name, col.type, col.meaning});
  return out;
}

}  // namespace civic::gateway::open
