#include "gateway/open/public_case.hpp"

#include <rapidjson/document.h>

#include "common/crypto/hmac.hpp"
#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"
#include "common/responses/case_status.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::gateway::open {
namespace {

using writer = json::writer;

std::optional<std::string> text(const rapidjson::Value& o, const char* name) {
  std::string out;
  if (!json::read(o, name, out)) return std::nullopt;
  return out;
}

std::optional<int64_t> ms_of(const std::optional<std::string>& t) {
  if (!t) return std::nullopt;
  auto parsed = parse_rfc3339(*t);
  if (!parsed) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->time_since_epoch()).count();
}

}  // namespace

std::string public_id(std::string_view key, std::string_view case_id) {
  auto mac = crypto::hmac_sha256(key, "open-case:" + std::string(case_id));
  return "oc-" + crypto::to_hex(mac.data(), 12);
}

expected<public_case, std::string> public_case_from_json(std::string_view case_json,
                                                         std::string_view id_key) {
  rapidjson::Document doc;
  if (!json::parse_object(case_json, doc)) return unexpected(std::string("not a JSON object"));
  public_case c;
  auto id = text(doc, "id");
  auto first_seen = text(doc, "first_seen");
  const auto* divisions = json::find(doc, "divisions");
  if (!id || !first_seen || !divisions || !divisions->IsArray() || divisions->Empty()) {
    return unexpected(std::string("id, first_seen or divisions missing"));
  }
  c.public_id = public_id(id_key, *id);
  for (const auto& d : divisions->GetArray()) {
    if (d.IsString()) c.divisions.emplace_back(d.GetString(), d.GetStringLength());
  }
  c.district = text(doc, "district");
  c.kind = text(doc, "kind").value_or("complaint");
  c.opened_at = *first_seen;
  c.opened_ms = ms_of(first_seen).value_or(0);
  if (const auto* n = json::find(doc, "report_count"); n && n->IsUint64())
    c.report_count = n->GetUint64();
  if (const auto* ch = json::find(doc, "channels"); ch && ch->IsArray()) {
    for (const auto& v : ch->GetArray()) {
      if (v.IsString()) c.channels.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  if (const auto* marks = json::find(doc, "citizen_marks"); marks && marks->IsArray()) {
    for (const auto& m : marks->GetArray()) {
      if (m.IsString() && m.GetStringLength() == 8) {
        c.citizen_marks.push_back(static_cast<uint32_t>(std::stoul(m.GetString(), nullptr, 16)));
      }
    }
  }
  c.status = "received";
  c.open311_status = "open";
  if (const auto* life = json::find(doc, "lifecycle"); life && life->IsObject()) {
    c.status = text(*life, "status").value_or("received");
    c.open311_status = text(*life, "open311_status").value_or("open");
    if (const auto* a = json::find(*life, "answer"); a && a->IsObject()) {
      const auto* pub = json::find(*a, "public");
      if (pub && pub->IsBool() && pub->GetBool()) {
        c.answer = public_answer{text(*a, "text").value_or(""), text(*a, "language").value_or(""),
                                 text(*a, "at").value_or("")};
      }
    }
    auto s = responses::parse_status(c.status);
    if (s && !responses::is_open(*s)) {
      // When it last went from open to closed; the history keeps the newest 32.
      c.closed_at = text(*life, "updated_at");
      if (const auto* h = json::find(*life, "history"); h && h->IsArray()) {
        bool was_open = true;
        for (const auto& entry : h->GetArray()) {
          auto st = entry.IsObject() ? text(entry, "status") : std::nullopt;
          auto parsed = st ? responses::parse_status(*st) : std::nullopt;
          if (!parsed) continue;
          bool open_now = responses::is_open(*parsed);
          if (was_open && !open_now) c.closed_at = text(entry, "at");
          was_open = open_now;
        }
      }
    }
  }
  if (const auto* support = json::find(doc, "support"); support && support->IsObject()) {
    if (const auto* n = json::find(*support, "count"); n && n->IsUint64()) {
      c.support_count = n->GetUint64();
    }
  }
  if (const auto* sl = json::find(doc, "service_level"); sl && sl->IsObject()) {
    c.service_class = text(*sl, "class");
    c.due_at = text(*sl, "due_at");
    c.due_ms = ms_of(c.due_at);
    c.first_answered_at = text(*sl, "answered_at");
    if (const auto* on_time = json::find(*sl, "on_time"); on_time && on_time->IsBool()) {
      c.on_time = on_time->GetBool();
    }
  } else if (const auto* life = json::find(doc, "lifecycle"); life && life->IsObject()) {
    c.first_answered_at = text(*life, "answered_at");
  }
  c.answered_ms = ms_of(c.first_answered_at);
  return c;
}

std::optional<bool> late_at(const public_case& c, int64_t now_ms) {
  if (!c.due_ms) return std::nullopt;
  if (c.answered_ms) return *c.answered_ms > *c.due_ms;
  return now_ms > *c.due_ms;
}

std::string to_json(const public_case& c, std::optional<int64_t> now_ms) {
  json::writer w;
  w.StartObject();
  w.member("id", c.public_id);
  w.member("division", c.divisions.front());
  w.strings("divisions", c.divisions);
  w.member("district", c.district);
  w.member("kind", c.kind);
  w.member("status", c.status);
  w.member("open311_status", c.open311_status);
  w.member("opened_at", c.opened_at);
  w.member("first_answered_at", c.first_answered_at);
  w.member("closed_at", c.closed_at);
  w.member("service_class", c.service_class);
  w.member("due_at", c.due_at);
  w.member("on_time", c.on_time);
  if (now_ms) w.member("late", late_at(c, *now_ms));
  w.member("report_count", c.report_count);
  w.member("support_count", c.support_count);
  w.strings("channels", c.channels);
  w.object("answer", c.answer, [&](const auto& a) {
    w.member("text", a.text);
    w.member("language", a.language);
    w.member("at", a.at);
  });
  w.EndObject();
  return w.str();
}

}  // namespace civic::gateway::open
