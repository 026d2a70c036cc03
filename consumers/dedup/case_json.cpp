#include "consumers/dedup/case_json.hpp"

#include <rapidjson/document.h>

#include <chrono>

#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"
#include "common/text/hex.hpp"
#include "common/time/rfc3339.hpp"
#include "consumers/dedup/case_lifecycle_json.hpp"

namespace civic::dedup {
namespace {

using writer = json_writer;

std::string rfc3339(int64_t ms) {
  return format_rfc3339_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

void write_common(writer& w, const case_state& c) {
  w.member("id", c.id);
  w.member("report_count", c.report_count);
  w.member("duplicates_dropped", c.duplicates_dropped);
  w.strings("members", c.members);
  w.strings("divisions", c.divisions);
  w.member("district", c.district);
  w.member("title", c.title);
  w.member("latest_text", c.latest());
  w.member("kind", c.kind);
  w.member("urgency", c.urgency);
  w.strings("channels", c.channels);
  w.Key("citizen_marks");
  w.StartArray();
  for (uint32_t m : c.citizen_marks)
    w.string_in_place(8, [&](char* out) { text::write_hex(out, m, 8); });
  w.EndArray();
  w.object("location", c.location, [&](const auto& p) {
    w.member("lat", p.lat);
    w.member("lon", p.lon);
  });
}

void write_hex64(json::writer& w, uint64_t v) {
  w.string_in_place(16, [&](char* out) { civic::text::write_hex(out, v, 16); });
}

// Every state record carries a case's signatures: written in place, as snprintf
// per byte was a fifth of dedup's time under load (and a string per signature
// and per fingerprint a tenth after that).
void write_signature_hex(json::writer& w, const signature& s) {
  constexpr auto length = static_cast<rapidjson::SizeType>(signature_size * 2 + lsh_values * 4);
  w.string_in_place(length, [&](char* out) {
    for (uint8_t m : s.minima) out = civic::text::write_hex(out, m, 2);
    for (uint16_t v : s.lsh) out = civic::text::write_hex(out, v, 4);
  });
}

bool parse_hex(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 16) return false;
  out = 0;
  for (char ch : text) {
    const int digit = civic::text::hex_value(ch, civic::text::hex_letters::lower_case);
    if (digit < 0) return false;
    out = out << 4 | static_cast<uint64_t>(digit);
  }
  return true;
}

bool int_member(const rapidjson::Value& o, const char* name, int64_t& out) {
  auto m = o.FindMember(name);
  if (m == o.MemberEnd() || !m->value.IsInt64()) return false;
  out = m->value.GetInt64();
  return true;
}

bool uint_member(const rapidjson::Value& o, const char* name, uint64_t& out) {
  auto m = o.FindMember(name);
  if (m == o.MemberEnd() || !m->value.IsUint64()) return false;
  out = m->value.GetUint64();
  return true;
}

int64_t ms_of(const std::string& rfc3339_text) {
  auto t = parse_rfc3339(rfc3339_text);
  return t ? std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count()
           : 0;
}

// The answer clock: everything from the record's own times, nothing from the wall clock.
void write_service_level(writer& w, const case_state& c) {
  w.Key("service_level");
  if (!c.clock) {
    w.Null();
    return;
  }
  w.StartObject();
  w.member("class", c.clock->class_name);
  w.Key("limit");
  w.StartObject();
  w.member("amount", c.clock->allowed.amount);
  w.Key("unit");
  auto unit = sla::to_string(c.clock->allowed.unit);
  w.String(unit.data(), static_cast<rapidjson::SizeType>(unit.size()));
  w.EndObject();
  w.member("due_at", rfc3339(c.clock->due_ms));
  w.Key("answered_at");
  const std::string& answered = c.lifecycle.get().answered_at;
  if (answered.empty()) {
    w.Null();
  } else {
    w.String(answered);
  }
  w.Key("on_time");
  if (answered.empty()) {
    w.Null();
  } else {
    w.Bool(ms_of(answered) <= c.clock->due_ms);
  }
  w.EndObject();
}

bool read_service_level(const rapidjson::Value& doc, std::optional<sla::clock>& out) {
  auto m = doc.FindMember("service_level");
  if (m == doc.MemberEnd() || m->value.IsNull()) return true;  // none, or a state from before
  const auto& v = m->value;
  if (!v.IsObject()) return false;
  sla::clock c;
  std::string due, unit;
  auto limit = v.FindMember("limit");
  if (!json::read(v, "class", c.class_name) || !json::read(v, "due_at", due) ||
      limit == v.MemberEnd() || !limit->value.IsObject() ||
      !int_member(limit->value, "amount", c.allowed.amount) ||
      !json::read(limit->value, "unit", unit)) {
    return false;
  }
  if (unit == "working_hours") {
    c.allowed.unit = sla::limit_unit::working_hours;
  } else if (unit != "working_days") {
    return false;
  }
  c.due_ms = ms_of(due);
  if (c.due_ms == 0) return false;
  out = std::move(c);
  return true;
}

}  // namespace

std::string case_to_json(const case_state& c, const std::vector<support_threshold>& milestones) {
  json::writer w;
  w.StartObject();
  w.member("version", 1);
  write_common(w, c);
  w.member("members_truncated", c.report_count > c.members.size());
  w.member("first_seen", rfc3339(c.first_seen_ms));
  w.member("last_seen", rfc3339(c.last_seen_ms));
  w.member("status", c.closed ? "closed" : "open");
  write_public_lifecycle(w, c.lifecycle.get(), c.kind == "idea" ? &milestones : nullptr);
  write_service_level(w, c);
  w.EndObject();
  return w.str();
}

std::string state_to_json(const case_state& c) {
  json::writer w;
  w.StartObject();
  w.member("state_version", 1);
  write_common(w, c);
  w.member("first_seen_ms", c.first_seen_ms);
  w.member("last_seen_ms", c.last_seen_ms);
  w.member("scripts", c.scripts);
  w.Key("signatures");
  w.StartArray();
  for (const auto& s : c.signatures) write_signature_hex(w, s);
  w.EndArray();
  if (!c.embedding.empty()) {
    w.Key("embedding");  // the sentence model's, packed (consumers/dedup/semantic.hpp)
    w.String(packed_to_text(c.embedding));
  }
  w.Key("fingerprints");
  w.StartArray();
  for (const auto& f : c.fingerprints) {
    w.StartArray();
    write_hex64(w, f.idempotency_hash);
    write_hex64(w, f.author_text_hash);
    w.Int64(f.time_ms);
    w.String(f.report_id);
    w.EndArray();
  }
  w.EndArray();
  w.member("closed", c.closed);
  write_lifecycle_state(w, c.lifecycle.get());
  write_service_level(w, c);
  w.EndObject();
  return w.str();
}

expected<case_state, std::string> state_from_json(std::string_view json) {
  rapidjson::Document doc;
  if (!json::parse_object(json, doc)) return unexpected(std::string("not a JSON object"));
  case_state c;
  int64_t scripts = 0;
  if (!json::read(doc, "id", c.id) || !uint_member(doc, "report_count", c.report_count) ||
      !uint_member(doc, "duplicates_dropped", c.duplicates_dropped) ||
      !json::read(doc, "members", c.members) || !json::read(doc, "divisions", c.divisions) ||
      c.divisions.empty() || !int_member(doc, "first_seen_ms", c.first_seen_ms) ||
      !int_member(doc, "last_seen_ms", c.last_seen_ms) || !int_member(doc, "scripts", scripts)) {
    return unexpected(std::string("a required member is missing or of the wrong type"));
  }
  c.scripts = static_cast<uint8_t>(scripts);
  // Written since the dashboards' fields; a changelog from before has none.
  json::read(doc, "title", c.title);
  if (std::string latest; json::read(doc, "latest_text", latest)) c.set_latest(std::move(latest));
  if (std::string kind; json::read(doc, "kind", kind)) c.kind = kind;
  if (std::string urgency; json::read(doc, "urgency", urgency)) c.urgency = urgency;
  json::read(doc, "channels", c.channels);
  std::vector<std::string> marks;
  json::read(doc, "citizen_marks", marks);  // written since open data
  for (const auto& m : marks) {
    uint64_t v = 0;
    if (m.size() != 8 || !parse_hex(m, v))
      return unexpected(std::string("a citizen mark is not 8 hex digits"));
    c.citizen_marks.push_back(static_cast<uint32_t>(v));
  }
  std::string district;
  if (json::read(doc, "district", district)) c.district = district;
  auto location = doc.FindMember("location");
  if (location != doc.MemberEnd() && location->value.IsObject()) {
    auto lat = location->value.FindMember("lat");
    auto lon = location->value.FindMember("lon");
    if (lat == location->value.MemberEnd() || lon == location->value.MemberEnd() ||
        !lat->value.IsNumber() || !lon->value.IsNumber()) {
      return unexpected(std::string("location needs numeric lat and lon"));
    }
    c.location = geo_point{lat->value.GetDouble(), lon->value.GetDouble()};
  }
  std::vector<std::string> signatures;
  if (!json::read(doc, "signatures", signatures))
    return unexpected(std::string("signatures missing"));
  for (const auto& hex : signatures) {
    if (hex.size() != signature_size * 2 + lsh_values * 4) {
      return unexpected(std::string("signature of the wrong length"));
    }
    signature s;
    s.empty = false;
    for (size_t i = 0; i < signature_size; ++i) {
      uint64_t v = 0;
      if (!parse_hex(std::string_view(hex).substr(i * 2, 2), v)) {
        return unexpected(std::string("signature is not hexadecimal"));
      }
      s.minima[i] = static_cast<uint8_t>(v);
    }
    for (size_t i = 0; i < lsh_values; ++i) {
      uint64_t v = 0;
      if (!parse_hex(std::string_view(hex).substr(signature_size * 2 + i * 4, 4), v)) {
        return unexpected(std::string("signature is not hexadecimal"));
      }
      s.lsh[i] = static_cast<uint16_t>(v);
    }
    c.signatures.push_back(s);
  }
  auto prints = doc.FindMember("fingerprints");
  if (prints == doc.MemberEnd() || !prints->value.IsArray()) {
    return unexpected(std::string("fingerprints missing"));
  }
  for (const auto& p : prints->value.GetArray()) {
    if (!p.IsArray() || p.Size() != 4 || !p[0].IsString() || !p[1].IsString() || !p[2].IsInt64() ||
        !p[3].IsString()) {
      return unexpected(std::string("a fingerprint is not [hex, hex, time, id]"));
    }
    fingerprint f;
    if (!parse_hex(p[0].GetString(), f.idempotency_hash) ||
        !parse_hex(p[1].GetString(), f.author_text_hash)) {
      return unexpected(std::string("a fingerprint hash is not hexadecimal"));
    }
    f.time_ms = p[2].GetInt64();
    f.report_id.assign(p[3].GetString(), p[3].GetStringLength());
    c.fingerprints.push_back(std::move(f));
  }
  if (auto e = doc.FindMember("embedding"); e != doc.MemberEnd()) {
    auto packed = e->value.IsString()
                      ? packed_from_text({e->value.GetString(), e->value.GetStringLength()})
                      : std::nullopt;
    if (!packed) return unexpected(std::string("embedding is not <scale>:<hex>"));
    c.embedding = std::move(*packed);
  }
  if (auto closed = doc.FindMember("closed"); closed != doc.MemberEnd() && closed->value.IsBool()) {
    c.closed = closed->value.GetBool();
  }
  auto lifecycle = read_lifecycle_state(doc);
  if (!lifecycle) return unexpected(lifecycle.error());
  c.lifecycle = std::move(*lifecycle);
  if (!read_service_level(doc, c.clock)) {
    return unexpected(std::string("service_level is not {class, limit, due_at, ...}"));
  }
  return c;
}

}  // namespace civic::dedup
