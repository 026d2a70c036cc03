#include "consumers/dedup/service/stages.hpp"

#include "common/envelope/envelope_json.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/dedup/case_json.hpp"
#include "consumers/dedup/report_builder.hpp"

namespace civic::dedup {
namespace {

bool internal_header(std::string_view name) {
  return name == divisions_header || name == related_header || name == district_header ||
         name == case_id_header || name == embedding_header || name == embedding_model_header ||
         name == kind_header || name == urgency_header;
}

std::vector<kafka::header> forwarded_headers(const std::vector<kafka::header>& headers) {
  std::vector<kafka::header> out;
  for (const auto& h : headers) {
    if (!internal_header(h.name)) out.push_back(h);
  }
  return out;
}

const std::string* find_header(const std::vector<kafka::header>& headers, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& h : headers) {
    if (h.name == name) found = &h.value;
  }
  return found;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

kafka::record deadletter(const inbound_record& in, const topics& names, std::string reason) {
  return kafka::deadletter_record(names.deadletter, in.key, in.value, in.headers, std::move(reason),
                                  "dedup:" + std::string(in.topic));
}

void write_case(const case_state& c, const topics& names, int32_t partition,
                std::vector<kafka::record>& out) {
  out.push_back({names.cases, c.id, case_to_json(c), {{"content-type", "application/json"}}, -1});
  // A closed case leaves the changelog: its tombstone lets compaction remove it.
  out.push_back({names.changelog,
                 c.id,
                 c.closed ? std::string() : state_to_json(c),
                 {},
                 partition,
                 c.closed});
}

// The report's embedding for the next stage (computed once in the pipeline).
void add_embedding_headers(const placement& p, const placement_function& place,
                           std::vector<kafka::header>& headers) {
  if (p.embedding.empty() || !place.embedding_model) return;
  headers.push_back(
      {std::string(embedding_header), classify::model::encode_embedding(p.embedding)});
  headers.push_back({std::string(embedding_model_header), place.embedding_model->id});
}

}  // namespace

std::string locality_key(const report& r) { return r.district ? *r.district : "citywide"; }

kafka::record route_ingested(const inbound_record& in, const placement_function& place,
                             const topics& names, step_counters& counters) {
  auto parsed = envelope::parse_json(in.value);
  if (!parsed) {
    ++counters.deadlettered;
    return deadletter(in, names,
                      "envelope: " + parsed.error().pointer + ": " + parsed.error().message);
  }
  placement p = place(placement_input_of(*parsed));
  if (p.divisions.empty()) p.divisions.emplace_back("triage");
  // The envelope's own district wins, as in report_from_envelope.
  std::optional<std::string> district =
      parsed->place && parsed->place->district ? parsed->place->district : p.district;
  kafka::record rec{names.repartition, district ? *district : std::string("citywide"),
                    std::string(in.value), forwarded_headers(in.headers), -1};
  rec.headers.push_back({std::string(divisions_header), join(p.divisions)});
  rec.headers.push_back({std::string(related_header), join(p.related)});
  if (p.district) rec.headers.push_back({std::string(district_header), *p.district});
  add_embedding_headers(p, place, rec.headers);
  rec.headers.push_back({std::string(kind_header), p.kind});
  rec.headers.push_back({std::string(urgency_header), p.urgency});
  ++counters.routed;
  return rec;
}

void deduplicate_repartitioned(const inbound_record& in, deduplicator& engine,
                               const placement_function& place, const topics& names,
                               std::vector<kafka::record>& out, step_counters& counters) {
  auto parsed = envelope::parse_json(in.value);
  if (!parsed) {
    ++counters.deadlettered;
    out.push_back(deadletter(
        in, names, "envelope: " + parsed.error().pointer + ": " + parsed.error().message));
    return;
  }
  placement p;
  if (const std::string* divisions = find_header(in.headers, divisions_header)) {
    p.divisions = split(*divisions);
    if (const std::string* related = find_header(in.headers, related_header))
      p.related = split(*related);
    if (const std::string* district = find_header(in.headers, district_header))
      p.district = *district;
    if (const std::string* kind = find_header(in.headers, kind_header)) p.kind = *kind;
    if (const std::string* urgency = find_header(in.headers, urgency_header)) p.urgency = *urgency;
  }
  std::optional<std::vector<float>> carried;
  if (const std::string* vector = find_header(in.headers, embedding_header)) {
    const std::string* model = find_header(in.headers, embedding_model_header);
    if (model && place.embedding_model && *model == place.embedding_model->id)
      carried = classify::model::decode_embedding(*vector, place.embedding_model->dims);
  }
  if (p.divisions.empty() || (place.embedding_model && !carried)) {
    auto in_place = placement_input_of(*parsed);
    if (carried) in_place.embedding = *carried;
    p = place(in_place);
  } else if (carried) {
    p.embedding = std::move(*carried);
  }
  auto r = report_from_envelope(*parsed, p);
  if (!r) {
    ++counters.deadlettered;
    out.push_back(deadletter(in, names, "envelope: " + r.error()));
    return;
  }

  decision d = engine.add(*r);
  switch (d.kind) {
    case match_kind::new_case:
      ++counters.new_cases;
      break;
    case match_kind::near_duplicate:
      ++counters.near_duplicates;
      break;
    case match_kind::exact_duplicate:
      ++counters.exact_duplicates;
      break;
  }
  if (d.kind != match_kind::exact_duplicate) {
    kafka::record unique{names.unique, locality_key(*r), std::string(in.value),
                         forwarded_headers(in.headers), -1};
    unique.headers.push_back({std::string(case_id_header), d.case_id});
    // The router reuses the embedding rather than computing it again.
    add_embedding_headers(p, place, unique.headers);
    out.push_back(std::move(unique));
  }
  if (const case_state* c = engine.find(d.case_id)) write_case(*c, names, in.partition, out);
  for (const case_state& closed : engine.close_expired(engine.clock_ms())) {
    ++counters.cases_closed;
    write_case(closed, names, in.partition, out);
  }
}

}  // namespace civic::dedup
