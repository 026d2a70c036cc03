#include "consumers/dedup/case_lifecycle_json.hpp"

#include <charconv>

#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"
#include "common/text/hex.hpp"

namespace civic::dedup {
namespace {

void write_lifecycle(json_writer& w, const case_lifecycle& l) {
  w.StartObject();
  w.member("status", responses::to_string(l.status));
  w.member("open311_status", responses::open311_status(l.status));
  w.nonempty("updated_at", l.updated_at);
  w.nonempty("answered_at", l.answered_at);
  w.member("expected_at", l.expected_at);
  w.object("answer", l.answer, [&](const auto& a) {
    w.member("update_id", a.update_id);
    w.member("text", a.text);
    w.member("language", a.language);
    w.member("at", a.at);
    w.member("division", a.division);
    w.member("public", a.published);
  });
  w.objects("history", l.history, [&](const auto& h) {
    w.member("update_id", h.update_id);
    w.member("status", responses::to_string(h.status));
    w.member("at", h.at);
    w.member("division", h.division);
    w.member("note", h.note);
  });
  w.EndObject();
}

void write_support(json_writer& w, const case_lifecycle& l,
                   const std::vector<support_threshold>* milestones) {
  w.StartObject();
  if (milestones) {
    w.objects("milestones", *milestones, [&](const support_threshold& m) {
      w.member("threshold", m.count);
      w.member("milestone", m.milestone);
    });
  } else {
    w.key("milestones").Null();
  }
  w.member("count", l.support_count);
  w.objects("thresholds", l.thresholds, [&](const auto& t) {
    w.member("threshold", t.threshold);
    w.member("milestone", t.milestone);
    w.member("at", t.at);
  });
  w.EndObject();
}

void write_deliveries(json_writer& w, const std::optional<responses::delivery_summary>& d) {
  if (!d) {
    w.Null();
    return;
  }
  w.StartObject();
  w.member("update_id", d->update_id);
  w.member("at", d->at);
  w.member("recipients", d->recipients);
  w.member("complete", d->complete);
  w.counts("outcomes", d->outcomes);
  w.key("by_channel").StartObject();
  for (const auto& [channel, counts] : d->by_channel) w.counts(channel, counts);
  w.EndObject();
  w.EndObject();
}

std::string hex16(uint64_t v) { return text::hex_digits(v, 16); }

// ---------------------------------------------------------------- reading

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
  if (!json::read(o, "status", name)) return false;
  auto s = responses::parse_status(name);
  if (!s) return false;
  out = *s;
  return true;
}

}  // namespace

void write_public_lifecycle(json_writer& w, const case_lifecycle& l,
                            const std::vector<support_threshold>* milestones) {
  w.Key("lifecycle");
  write_lifecycle(w, l);
  w.Key("support");
  write_support(w, l, milestones);
  w.Key("deliveries");
  write_deliveries(w, l.deliveries);
  w.objects("service_requests", l.service_requests, [&](const auto& r) {
    w.member("id", r.id);
    w.member("requested_at", r.requested_at);
  });
}

void write_lifecycle_state(json_writer& w, const case_lifecycle& l) {
  w.Key("lifecycle");
  w.StartObject();
  write_public_lifecycle(w, l);
  w.strings("recent_updates", l.recent_updates);
  w.Key("supporters");
  w.StartArray();
  for (uint64_t h : l.supporters) w.String(hex16(h));
  w.EndArray();
  w.EndObject();
}

expected<case_lifecycle, std::string> read_lifecycle_state(const rapidjson::Value& root) {
  case_lifecycle l;
  const auto* state = json::find(root, "lifecycle");
  if (!state) return l;
  auto bad = [](const char* what) {
    return unexpected(std::string("lifecycle: ") + what + " missing or of the wrong type");
  };
  if (!state->IsObject()) return bad("the object");
  const auto* life = json::find(*state, "lifecycle");
  if (!life || !life->IsObject() || !read_status(*life, l.status) ||
      !json::read_nullable(*life, "updated_at", l.updated_at)) {
    return bad("status");
  }
  // Written since the answer clocks; a state from before has none.
  if (json::find(*life, "answered_at") &&
      !json::read_nullable(*life, "answered_at", l.answered_at)) {
    return bad("answered_at");
  }
  std::string expected_at;
  if (!json::read_nullable(*life, "expected_at", expected_at)) return bad("expected_at");
  if (!expected_at.empty()) l.expected_at = expected_at;
  if (const auto* a = json::find(*life, "answer"); a && a->IsObject()) {
    case_answer answer;
    if (!json::read(*a, "update_id", answer.update_id) || !json::read(*a, "text", answer.text) ||
        !json::read(*a, "language", answer.language) || !json::read(*a, "at", answer.at) ||
        !json::read(*a, "division", answer.division)) {
      return bad("answer");
    }
    if (const auto* p = json::find(*a, "public"); p && p->IsBool()) answer.published = p->GetBool();
    l.answer = std::move(answer);
  }
  const auto* history = json::find(*life, "history");
  if (!history || !history->IsArray()) return bad("history");
  for (const auto& h : history->GetArray()) {
    status_change c;
    if (!h.IsObject() || !json::read(h, "update_id", c.update_id) || !read_status(h, c.status) ||
        !json::read(h, "at", c.at) || !json::read(h, "division", c.division) ||
        !json::read(h, "note", c.note)) {
      return bad("a history entry");
    }
    l.history.push_back(std::move(c));
  }

  const auto* support = json::find(*state, "support");
  const auto* count = support && support->IsObject() ? json::find(*support, "count") : nullptr;
  const auto* thresholds =
      support && support->IsObject() ? json::find(*support, "thresholds") : nullptr;
  if (!count || !count->IsUint64() || !thresholds || !thresholds->IsArray()) return bad("support");
  l.support_count = count->GetUint64();
  for (const auto& t : thresholds->GetArray()) {
    threshold_crossed c;
    const auto* n = t.IsObject() ? json::find(t, "threshold") : nullptr;
    if (!n || !n->IsUint64() || !json::read(t, "milestone", c.milestone) ||
        !json::read(t, "at", c.at)) {
      return bad("a threshold");
    }
    c.threshold = n->GetUint64();
    l.thresholds.push_back(std::move(c));
  }

  if (const auto* d = json::find(*state, "deliveries"); d && d->IsObject()) {
    responses::delivery_summary s;
    const auto* recipients = json::find(*d, "recipients");
    const auto* complete = json::find(*d, "complete");
    if (!json::read(*d, "update_id", s.update_id) || !json::read(*d, "at", s.at) || !recipients ||
        !recipients->IsUint64() || !complete || !complete->IsBool() ||
        !read_counts(json::find(*d, "outcomes"), s.outcomes)) {
      return bad("deliveries");
    }
    s.recipients = recipients->GetUint64();
    s.complete = complete->GetBool();
    const auto* channels = json::find(*d, "by_channel");
    if (!channels || !channels->IsObject()) return bad("deliveries.by_channel");
    for (auto m = channels->MemberBegin(); m != channels->MemberEnd(); ++m) {
      if (!read_counts(&m->value,
                       s.by_channel[std::string(m->name.GetString(), m->name.GetStringLength())])) {
        return bad("deliveries.by_channel");
      }
    }
    l.deliveries = std::move(s);
  }

  const auto* requests = json::find(*state, "service_requests");
  if (!requests || !requests->IsArray()) return bad("service_requests");
  for (const auto& r : requests->GetArray()) {
    service_request q;
    if (!r.IsObject() || !json::read(r, "id", q.id) ||
        !json::read(r, "requested_at", q.requested_at)) {
      return bad("a service request");
    }
    l.service_requests.push_back(std::move(q));
  }
  const auto* recent = json::find(*state, "recent_updates");
  const auto* supporters = json::find(*state, "supporters");
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
