#include "consumers/dedup/report_builder.hpp"

#include <rapidjson/document.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>

#include "common/json/record_reader.hpp"
#include "common/text/hex.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::dedup {
namespace {

expected<int64_t, std::string> epoch_ms(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) return unexpected(std::string("received_at is not an RFC 3339 date-time"));
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

std::string pseudonym(std::string_view handle) {
  return "author-" + text::hex_digits(XXH3_64bits(handle.data(), handle.size()), 16);
}

std::optional<std::string> optional_string(const rapidjson::Value& object, const char* name) {
  auto m = object.FindMember(name);
  if (m == object.MemberEnd() || !m->value.IsString()) return std::nullopt;
  return std::string(m->value.GetString(), m->value.GetStringLength());
}

}  // namespace

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

placement_input placement_input_of(const envelope::message& e) {
  placement_input in;
  in.text = e.text;
  in.channel = e.channel;
  if (e.place) {
    if (e.place->address) in.address = *e.place->address;
    if (e.place->lat && e.place->lon) in.point = geo_point{*e.place->lat, *e.place->lon};
    if (e.place->district) in.district = *e.place->district;
  }
  return in;
}

expected<report, std::string> report_from_envelope(const envelope::message& e, const placement& p) {
  auto time = epoch_ms(e.received_at);
  if (!time) return unexpected(std::move(time).error());
  report r;
  r.id = e.id;
  // The partition's clock follows report times; one far-future time (a host
  // with a wrong clock) would otherwise close every open case at once.
  r.time_ms = std::min(*time, wall_clock_ms() + max_clock_lead_ms);
  r.idempotency_key = e.idempotency_key;
  r.author = e.author_id;
  r.text = e.text;
  if (e.place && e.place->lat && e.place->lon) r.point = geo_point{*e.place->lat, *e.place->lon};
  r.divisions = p.divisions;
  if (r.divisions.empty()) r.divisions.emplace_back("triage");
  r.related_divisions = p.related;
  r.district = p.district;  // the envelope's own district first (placement_input_of)
  r.embedding = p.embedding;
  r.channel = e.channel;
  r.kind = e.kind ? std::string(envelope::to_string(*e.kind)) : p.kind;
  r.urgency = p.urgency;
  return r;
}

expected<report, std::string> report_from_corpus_line(std::string_view line,
                                                      const placement_function& place) {
  rapidjson::Document doc;
  if (!json::parse_object(line, doc)) return unexpected(std::string("not a JSON object"));
  auto id = optional_string(doc, "id");
  auto channel = optional_string(doc, "channel");
  auto received_at = optional_string(doc, "received_at");
  auto text = optional_string(doc, "text");
  if (!id || !channel || !received_at || !text) {
    return unexpected(std::string("id, channel, received_at and text are required strings"));
  }
  auto time = epoch_ms(*received_at);
  if (!time) return unexpected(std::move(time).error());

  report r;
  r.id = *id;
  r.time_ms = *time;
  auto source_id = optional_string(doc, "source_id");
  r.idempotency_key = *channel + ":" + (source_id ? *source_id : *id);
  if (auto author = optional_string(doc, "author")) r.author = pseudonym(*author);
  r.text = *text;
  auto lat = doc.FindMember("lat");
  auto lon = doc.FindMember("lon");
  if (lat != doc.MemberEnd() && lon != doc.MemberEnd() && lat->value.IsNumber() &&
      lon->value.IsNumber()) {
    r.point = geo_point{lat->value.GetDouble(), lon->value.GetDouble()};
  }
  auto address = optional_string(doc, "address");
  placement_input in;
  in.text = r.text;
  if (address) in.address = *address;
  in.point = r.point;
  in.channel = *channel;
  placement p = place(in);
  r.divisions = p.divisions.empty() ? std::vector<std::string>{"triage"} : p.divisions;
  r.related_divisions = p.related;
  r.district = p.district;
  r.embedding = std::move(p.embedding);
  r.channel = *channel;
  r.kind = p.kind;
  r.urgency = p.urgency;
  return r;
}

}  // namespace civic::dedup
