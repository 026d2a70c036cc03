#include "consumers/answers/case_step.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>

#include "common/envelope/envelope_json.hpp"
#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"
#include "common/kafka/civic_headers.hpp"
#include "common/responses/response.hpp"
#include "common/time/rfc3339.hpp"
#include "consumers/answers/ledger.hpp"
#include "consumers/answers/notice.hpp"

namespace civic::answers {
namespace {

using writer = json::writer;

// A dead letter, counted.
kafka::record deadletter(const inbound_record& in, const topics& names, case_counters& counters,
                         std::string reason) {
  ++counters.deadlettered;
  return kafka::deadletter_record(names.deadletter, in.key, in.value, in.headers, std::move(reason),
                                  "answers:" + std::string(in.topic));
}

int64_t millis(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

std::string recipient_json(const std::string& case_id, const recipient& r) {
  json::writer w;
  w.StartObject();
  w.member("case_id", case_id);
  w.member("key", r.key);
  w.member("channel", r.channel);
  w.member("token", r.token);
  w.member("first_ms", r.first_ms);
  w.member("last_inbound_ms", r.last_inbound_ms);
  w.member("language", r.language);
  w.EndObject();
  return w.str();
}

expected<std::pair<std::string, recipient>, std::string> recipient_from_json(
    std::string_view json) {
  rapidjson::Document doc;
  std::pair<std::string, recipient> out;
  recipient& r = out.second;
  if (!json::parse_object(json, doc) || !json::read(doc, "case_id", out.first) ||
      !json::read(doc, "key", r.key) || !json::read(doc, "channel", r.channel) ||
      !json::read(doc, "token", r.token) || !json::read(doc, "first_ms", r.first_ms) ||
      !json::read(doc, "last_inbound_ms", r.last_inbound_ms) ||
      !json::read(doc, "language", r.language)) {
    return unexpected(std::string("not a recipient record"));
  }
  return out;
}

std::string case_json(const case_recipients& c) {
  json::writer w;
  w.StartObject();
  w.member("case_id", c.case_id);
  w.strings("recent_updates", c.recent_updates);
  w.member("activity_ms", c.activity_ms);
  w.EndObject();
  return w.str();
}

}  // namespace

std::string recipient_changelog_key(std::string_view case_id, std::string_view recipient) {
  return "r/" + std::string(case_id) + "/" + std::string(recipient);
}

std::string case_changelog_key(std::string_view case_id) { return "c/" + std::string(case_id); }

// ---------------------------------------------------------------- step 1

std::optional<kafka::record> route_report(const inbound_record& in, const topics& names,
                                          case_counters& counters) {
  auto e = envelope::parse_json(in.value);
  if (!e) {
    return deadletter(in, names, counters, deadletter_reason("envelope", e.error()));
  }
  if (!e->reply_to) {
    ++counters.reports_without_reply;
    return std::nullopt;
  }
  const std::string* case_id = kafka::find_header(in.headers, kafka::case_id_header);
  std::string id = case_id ? *case_id : "case-" + e->id;
  json::writer w;
  w.StartObject();
  w.member("case_id", id);
  w.member("recipient", e->author_id ? *e->author_id : "report:" + e->id);
  w.member("channel", e->reply_to->channel);
  w.member("token", e->reply_to->token);
  w.member("written_ms", millis(e->received_at));
  w.member("language", e->language);
  w.EndObject();
  ++counters.reports_routed;
  return kafka::record{names.work, id, w.str(), {{std::string(work_kind_header), "recipient"}}, -1};
}

std::optional<kafka::record> route_response(const inbound_record& in, const topics& names,
                                            case_counters& counters) {
  auto r = responses::parse_json(in.value);
  if (!r) {
    return deadletter(in, names, counters, deadletter_reason("response", r.error()));
  }
  if (!citizens_hear_about(*r)) return std::nullopt;
  ++counters.responses_routed;
  return kafka::record{names.work,
                       r->case_id,
                       std::string(in.value),
                       {{std::string(work_kind_header), "response"}},
                       -1};
}

// ---------------------------------------------------------------- step 2

void case_book::restore(std::string_view key, std::string_view value) {
  if (key.starts_with("r/")) {
    auto parsed = recipient_from_json(value);
    if (!parsed) return;
    auto& c = cases_[parsed->first];
    c.case_id = parsed->first;
    auto existing = std::find_if(c.recipients.begin(), c.recipients.end(),
                                 [&](const recipient& r) { return r.key == parsed->second.key; });
    if (existing != c.recipients.end()) {
      *existing = std::move(parsed->second);
    } else {
      c.recipients.push_back(std::move(parsed->second));
    }
    std::sort(c.recipients.begin(), c.recipients.end(), [](const recipient& a, const recipient& b) {
      return std::tie(a.first_ms, a.key) < std::tie(b.first_ms, b.key);
    });
    int64_t last = c.recipients.empty() ? 0 : c.recipients.back().last_inbound_ms;
    for (const auto& r : c.recipients) last = std::max(last, r.last_inbound_ms);
    touch(c, last);
  } else if (key.starts_with("c/")) {
    rapidjson::Document doc;
    std::string id;
    int64_t activity = 0;
    if (!json::parse_object(value, doc) || !json::read(doc, "case_id", id) ||
        !json::read(doc, "activity_ms", activity) || !doc.HasMember("recent_updates") ||
        !doc["recent_updates"].IsArray()) {
      return;
    }
    auto& c = cases_[id];
    c.case_id = id;
    c.recent_updates.clear();
    for (const auto& u : doc["recent_updates"].GetArray()) {
      if (u.IsString()) c.recent_updates.emplace_back(u.GetString(), u.GetStringLength());
    }
    touch(c, activity);
  }
}

void case_book::clear() {
  cases_.clear();
  by_activity_.clear();
}

const case_recipients* case_book::find(const std::string& case_id) const {
  auto found = cases_.find(case_id);
  return found == cases_.end() ? nullptr : &found->second;
}

void case_book::touch(case_recipients& c, int64_t at_ms) {
  if (at_ms <= c.activity_ms) return;
  by_activity_.erase({c.activity_ms, c.case_id});
  c.activity_ms = at_ms;
  by_activity_.insert({at_ms, c.case_id});
}

void case_book::fold(const inbound_record& in, const topics& names, std::vector<kafka::record>& out,
                     case_counters& counters, int64_t now_ms) {
  const std::string* kind = kafka::find_header(in.headers, work_kind_header);
  if (kind && *kind == "recipient") {
    add_recipient(in, names, out, counters);
  } else if (kind && *kind == "response") {
    expand(in, names, out, counters, now_ms);
  } else {
    out.push_back(deadletter(in, names, counters, "answers.work record without its kind header"));
  }
  retire(names, in.partition, out, counters, now_ms);
}

void case_book::add_recipient(const inbound_record& in, const topics& names,
                              std::vector<kafka::record>& out, case_counters& counters) {
  rapidjson::Document doc;
  std::string case_id;
  recipient r;
  int64_t written = 0;
  if (!json::parse_object(in.value, doc) || !json::read(doc, "case_id", case_id) ||
      !json::read(doc, "recipient", r.key) || !json::read(doc, "channel", r.channel) ||
      !json::read(doc, "token", r.token) || !json::read(doc, "written_ms", written) ||
      !json::read(doc, "language", r.language)) {
    out.push_back(deadletter(in, names, counters, "answers.work: not a recipient record"));
    return;
  }
  r.first_ms = r.last_inbound_ms = written;
  auto& c = cases_[case_id];
  c.case_id = case_id;
  auto existing = std::find_if(c.recipients.begin(), c.recipients.end(),
                               [&](const recipient& x) { return x.key == r.key; });
  if (existing != c.recipients.end()) {
    if (written < existing->last_inbound_ms) return;  // an older report: nothing fresher
    existing->token = r.token;
    existing->last_inbound_ms = written;
    existing->language = r.language;
    out.push_back({names.changelog,
                   recipient_changelog_key(case_id, existing->key),
                   recipient_json(case_id, *existing),
                   {},
                   in.partition});
  } else {
    if (c.recipients.size() >= settings_.max_recipients_per_case) return;
    c.recipients.push_back(r);
    ++counters.recipients_added;
    out.push_back({names.changelog,
                   recipient_changelog_key(case_id, r.key),
                   recipient_json(case_id, r),
                   {},
                   in.partition});
  }
  touch(c, written);
}

void case_book::expand(const inbound_record& in, const topics& names,
                       std::vector<kafka::record>& out, case_counters& counters, int64_t now_ms) {
  auto r = responses::parse_json(in.value);
  if (!r) {
    out.push_back(deadletter(in, names, counters, deadletter_reason("response", r.error())));
    return;
  }
  auto found = cases_.find(r->case_id);
  if (found == cases_.end() || found->second.recipients.empty()) {
    ++counters.updates_without_recipients;
    return;
  }
  case_recipients& c = found->second;
  if (std::find(c.recent_updates.begin(), c.recent_updates.end(), r->id) !=
      c.recent_updates.end()) {
    ++counters.updates_repeated;
    return;
  }
  c.recent_updates.push_back(r->id);
  if (c.recent_updates.size() > settings_.recent_updates) {
    c.recent_updates.erase(c.recent_updates.begin());
  }
  bool threshold = r->type == responses::response_type::threshold;
  // A threshold event is for the proposer: the citizen who wrote first (by the
  // time the gateway received it, not the order the reports were processed in).
  std::vector<const recipient*> targets;
  if (threshold) {
    targets.push_back(&*std::min_element(
        c.recipients.begin(), c.recipients.end(),
        [](const recipient& a, const recipient& b) { return a.first_ms < b.first_ms; }));
  } else {
    for (const auto& x : c.recipients) targets.push_back(&x);
  }
  std::string created =
      format_rfc3339_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms)));
  for (const recipient* x : targets) {
    ledger_entry e;
    e.update_id = r->id;
    e.case_id = r->case_id;
    e.locality = r->locality;
    e.recipient = x->key;
    e.channel = x->channel;
    e.token = x->token;
    e.kind = threshold ? "threshold" : "update";
    e.recipients = static_cast<uint32_t>(targets.size());
    e.last_inbound_ms = x->last_inbound_ms;
    e.created_at = created;
    e.message = threshold ? threshold_notice(*r, x->language) : update_notice(*r, x->language);
    out.push_back(
        {names.ledger, ledger_key(e.update_id, e.recipient), to_json(e), {}, in.partition});
    ++counters.jobs_created;
  }
  ++counters.updates_expanded;
  touch(c, millis(r->at));
  out.push_back({names.changelog, case_changelog_key(c.case_id), case_json(c), {}, in.partition});
}

void case_book::retire(const topics& names, int32_t partition, std::vector<kafka::record>& out,
                       case_counters& counters, int64_t now_ms) {
  while (!by_activity_.empty() && by_activity_.begin()->first < now_ms - settings_.retention_ms) {
    std::string id = by_activity_.begin()->second;
    by_activity_.erase(by_activity_.begin());
    auto found = cases_.find(id);
    if (found == cases_.end()) continue;
    for (const auto& x : found->second.recipients) {
      out.push_back({names.changelog, recipient_changelog_key(id, x.key), "", {}, partition, true});
    }
    out.push_back({names.changelog, case_changelog_key(id), "", {}, partition, true});
    cases_.erase(found);
    ++counters.cases_retired;
  }
}

}  // namespace civic::answers
