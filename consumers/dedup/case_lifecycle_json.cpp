#include "consumers/dedup/case_lifecycle_json.hpp"

#include <charconv>
#include <cstdio>

namespace civic::dedup {
namespace {

void write_text(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_optional(json_writer& w, const std::optional<std::string>& s) {
  if (s) {
    w.String(*s);
  } else {
    w.Null();
  }
}

void write_nonempty(json_writer& w, const std::string& s) {
  if (s.empty()) {
    w.Null();
  } else {
    w.String(s);
  }
}

void write_counts(json_writer& w, const std::map<std::string, uint64_t, std::less<>>& counts) {
  w.StartObject();
  for (const auto& [name, n] : counts) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Uint64(n);
  }
  w.EndObject();
}

void write_lifecycle(json_writer& w, const case_lifecycle& l) {
  w.StartObject();
  w.Key("status");
  write_text(w, responses::to_string(l.status));
  w.Key("open311_status");
  write_text(w, responses::open311_status(l.status));
  w.Key("updated_at");
  write_nonempty(w, l.updated_at);
  w.Key("answered_at");
  write_nonempty(w, l.answered_at);
  w.Key("expected_at");
  write_optional(w, l.expected_at);
  w.Key("answer");
  if (l.answer) {
    w.StartObject();
    w.Key("update_id");
    w.String(l.answer->update_id);
    w.Key("text");
    w.String(l.answer->text);
    w.Key("language");
    w.String(l.answer->language);
    w.Key("at");
    w.String(l.answer->at);
    w.Key("division");
    w.String(l.answer->division);
    w.Key("public");
    w.Bool(l.answer->published);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("history");
  w.StartArray();
  for (const auto& h : l.history) {
    w.StartObject();
    w.Key("update_id");
    w.String(h.update_id);
    w.Key("status");
    write_text(w, responses::to_string(h.status));
    w.Key("at");
    w.String(h.at);
    w.Key("division");
    w.String(h.division);
    w.Key("note");
    w.String(h.note);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void write_support(json_writer& w, const case_lifecycle& l) {
  w.StartObject();
  w.Key("count");
  w.Uint64(l.support_count);
  w.Key("thresholds");
  w.StartArray();
  for (const auto& t : l.thresholds) {
    w.StartObject();
    w.Key("threshold");
    w.Uint64(t.threshold);
    w.Key("milestone");
    w.String(t.milestone);
    w.Key("at");
    w.String(t.at);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void write_deliveries(json_writer& w, const std::optional<responses::delivery_summary>& d) {
  if (!d) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("update_id");
  w.String(d->update_id);
  w.Key("at");
  w.String(d->at);
  w.Key("recipients");
  w.Uint64(d->recipients);
  w.Key("complete");
  w.Bool(d->complete);
  w.Key("outcomes");
  write_counts(w, d->outcomes);
  w.Key("by_channel");
  w.StartObject();
  for (const auto& [channel, counts] : d->by_channel) {
    w.Key(channel.data(), static_cast<rapidjson::SizeType>(channel.size()));
    write_counts(w, counts);
  }
  w.EndObject();
  w.EndObject();
}

void write_service_requests(json_writer& w, const case_lifecycle& l) {
  w.StartArray();
  for (const auto& r : l.service_requests) {
    w.StartObject();
    w.Key("id");
    w.String(r.id);
    w.Key("requested_at");
    w.String(r.requested_at);
    w.EndObject();
  }
  w.EndArray();
}

std::string hex16(uint64_t v) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
  return buffer;
}

// ---------------------------------------------------------------- reading

const rapidjson::Value* member(const rapidjson::Value& o, const char* name) {
  auto m = o.FindMember(name);
  return m == o.MemberEnd() ? nullptr : &m->value;
}

bool text(const rapidjson::Value& o, const char* name, std::string& out) {
  const auto* v = member(o, name);
  if (!v || !v->IsString()) return false;
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}

bool nullable_text(const rapidjson::Value& o, const char* name, std::string& out) {
  const auto* v = member(o, name);
  if (v && v->IsNull()) {
    out.clear();
    return true;
  }
  return text(o, name, out);
}

bool read_counts(const rapidjson::Value* v, std::map<std::string, uint64_t, std::less<>>& out) {
  if (!v || !v->IsObject()) return false;
  for (auto m = v->MemberBegin(); m != v->MemberEnd(); ++m) {
    if (!m->value.IsUint64()) return false;
    out[std::string(m->name.GetString(), m->name.GetStringLength())] = m->value.GetUint64();
  }
  return true;
}

bool read_status(const rapidjson::Value& o, responses::case_status& out) {
  std::string name;
  if (!text(o, "status", name)) return false;
  auto s = responses::parse_status(name);
  if (!s) return false;
  out = *s;
  return true;
}

}  // namespace

void write_public_lifecycle(json_writer& w, const case_lifecycle& l) {
  w.Key("lifecycle");
  write_lifecycle(w, l);
  w.Key("support");
  write_support(w, l);
  w.Key("deliveries");
  write_deliveries(w, l.deliveries);
  w.Key("service_requests");
  write_service_requests(w, l);
}

void write_lifecycle_state(json_writer& w, const case_lifecycle& l) {
  w.Key("lifecycle");
  w.StartObject();
  write_public_lifecycle(w, l);
  w.Key("recent_updates");
  w.StartArray();
  for (const auto& id : l.recent_updates) w.String(id);
  w.EndArray();
  w.Key("supporters");
  w.StartArray();
  for (uint64_t h : l.supporters) w.String(hex16(h));
  w.EndArray();
  w.EndObject();
}

expected<case_lifecycle, std::string> read_lifecycle_state(const rapidjson::Value& root) {
  case_lifecycle l;
  const auto* state = member(root, "lifecycle");
  if (!state) return l;
  auto bad = [](const char* what) {
    return unexpected(std::string("lifecycle: ") + what + " missing or of the wrong type");
  };
  if (!state->IsObject()) return bad("the object");
  const auto* life = member(*state, "lifecycle");
  if (!life || !life->IsObject() || !read_status(*life, l.status) ||
      !nullable_text(*life, "updated_at", l.updated_at)) {
    return bad("status");
  }
  // Written since the answer clocks; a state from before has none.
  if (member(*life, "answered_at") && !nullable_text(*life, "answered_at", l.answered_at)) {
    return bad("answered_at");
  }
  std::string expected_at;
  if (!nullable_text(*life, "expected_at", expected_at)) return bad("expected_at");
  if (!expected_at.empty()) l.expected_at = expected_at;
  if (const auto* a = member(*life, "answer"); a && a->IsObject()) {
    case_answer answer;
    if (!text(*a, "update_id", answer.update_id) || !text(*a, "text", answer.text) ||
        !text(*a, "language", answer.language) || !text(*a, "at", answer.at) ||
        !text(*a, "division", answer.division)) {
      return bad("answer");
    }
    if (const auto* p = member(*a, "public"); p && p->IsBool()) answer.published = p->GetBool();
    l.answer = std::move(answer);
  }
  const auto* history = member(*life, "history");
  if (!history || !history->IsArray()) return bad("history");
  for (const auto& h : history->GetArray()) {
    status_change c;
    if (!h.IsObject() || !text(h, "update_id", c.update_id) || !read_status(h, c.status) ||
        !text(h, "at", c.at) || !text(h, "division", c.division) || !text(h, "note", c.note)) {
      return bad("a history entry");
    }
    l.history.push_back(std::move(c));
  }

  const auto* support = member(*state, "support");
  const auto* count = support && support->IsObject() ? member(*support, "count") : nullptr;
  const auto* thresholds =
      support && support->IsObject() ? member(*support, "thresholds") : nullptr;
  if (!count || !count->IsUint64() || !thresholds || !thresholds->IsArray()) return bad("support");
  l.support_count = count->GetUint64();
  for (const auto& t : thresholds->GetArray()) {
    threshold_crossed c;
    const auto* n = t.IsObject() ? member(t, "threshold") : nullptr;
    if (!n || !n->IsUint64() || !text(t, "milestone", c.milestone) || !text(t, "at", c.at)) {
      return bad("a threshold");
    }
    c.threshold = n->GetUint64();
    l.thresholds.push_back(std::move(c));
  }

  if (const auto* d = member(*state, "deliveries"); d && d->IsObject()) {
    responses::delivery_summary s;
    const auto* recipients = member(*d, "recipients");
    const auto* complete = member(*d, "complete");
    if (!text(*d, "update_id", s.update_id) || !text(*d, "at", s.at) || !recipients ||
        !recipients->IsUint64() || !complete || !complete->IsBool() ||
        !read_counts(member(*d, "outcomes"), s.outcomes)) {
      return bad("deliveries");
    }
    s.recipients = recipients->GetUint64();
    s.complete = complete->GetBool();
    const auto* channels = member(*d, "by_channel");
    if (!channels || !channels->IsObject()) return bad("deliveries.by_channel");
    for (auto m = channels->MemberBegin(); m != channels->MemberEnd(); ++m) {
      if (!read_counts(&m->value,
                       s.by_channel[std::string(m->name.GetString(), m->name.GetStringLength())])) {
        return bad("deliveries.by_channel");
      }
    }
    l.deliveries = std::move(s);
  }

  const auto* requests = member(*state, "service_requests");
  if (!requests || !requests->IsArray()) return bad("service_requests");
  for (const auto& r : requests->GetArray()) {
    service_request q;
    if (!r.IsObject() || !text(r, "id", q.id) || !text(r, "requested_at", q.requested_at)) {
      return bad("a service request");
    }
    l.service_requests.push_back(std::move(q));
  }
  const auto* recent = member(*state, "recent_updates");
  const auto* supporters = member(*state, "supporters");
  if (!recent || !recent->IsArray() || !supporters || !supporters->IsArray()) {
    return bad("recent_updates or supporters");
  }
  for (const auto& id : recent->GetArray()) {
    if (!id.IsString()) return bad("recent_updates");
    l.recent_updates.emplace_back(id.GetString(), id.GetStringLength());
  }
  for (const auto& h : supporters->GetArray()) {
    uint64_t v = 0;
    if (!h.IsString() || h.GetStringLength() != 16) return bad("supporters");
    auto [end, ec] = std::from_chars(h.GetString(), h.GetString() + 16, v, 16);
    if (ec != std::errc() || end != h.GetString() + 16) return bad("supporters");
    l.supporters.push_back(v);
  }
  return l;
}

}  // namespace civic::dedup
