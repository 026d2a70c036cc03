#include "consumers/dedup/service/stages.hpp"

#include <set>

#include "common/envelope/envelope_json.hpp"
#include "common/responses/delivery.hpp"
#include "common/responses/response.hpp"
#include "common/text/comma_list.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/dedup/case_json.hpp"
#include "consumers/dedup/report_builder.hpp"

namespace civic::dedup {
namespace {

bool internal_header(std::string_view name) {
  return name == divisions_header || name == related_header || name == district_header ||
         name == case_id_header || name == embedding_header || name == embedding_model_header ||
         name == input_kind_header || name == kind_header || name == urgency_header;
}

std::vector<kafka::header> forwarded_headers(const std::vector<kafka::header>& headers) {
  std::vector<kafka::header> out;
  for (const auto& h : headers) {
    if (!internal_header(h.name)) out.push_back(h);
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

kafka::record deadletter(const inbound_record& in, const topics& names, std::string reason) {
  return kafka::deadletter_record(names.deadletter, in.key, in.value, in.headers, std::move(reason),
                                  "dedup:" + std::string(in.topic));
}

// A dead letter counted as one (a response for no case is counted as unmatched instead).
kafka::record counted_deadletter(const inbound_record& in, const topics& names,
                                 step_counters& counters, std::string reason) {
  ++counters.deadlettered;
  return deadletter(in, names, std::move(reason));
}

void write_case(const case_state& c, const lifecycle_settings& settings, const topics& names,
                int32_t partition, std::vector<kafka::record>& out) {
  out.push_back({names.cases,
                 c.id,
                 case_to_json(c, settings.thresholds),
                 {{"content-type", "application/json"}},
                 -1});
  // A closed case stays on the changelog (without its matching state) while its
  // lifecycle goes on; retire_case removes it.
  out.push_back({names.changelog, c.id, state_to_json(c), {}, partition});
}

// A case that left the state: its tombstone lets compaction remove it.
void retire_case(const std::string& id, const topics& names, int32_t partition,
                 std::vector<kafka::record>& out) {
  out.push_back({names.changelog, id, std::string(), {}, partition, true});
}

// The open case, else the closed one still held; nullptr for neither.
case_state* find_case(const std::string& id, deduplicator& engine, lifecycle_context& life,
                      bool& open) {
  case_state* c = engine.find_for_lifecycle(id);
  open = c != nullptr;
  return c ? c : life.closed.find(id);
}

void fold_response_record(const inbound_record& in, deduplicator& engine, lifecycle_context& life,
                          const topics& names, std::vector<kafka::record>& out,
                          step_counters& counters) {
  auto r = responses::parse_json(in.value);
  if (!r) {
    out.push_back(
        counted_deadletter(in, names, counters, deadletter_reason("response", r.error())));
    return;
  }
  bool open = false;
  case_state* c = find_case(r->case_id, engine, life, open);
  if (!c) {
    ++counters.responses_unmatched;
    out.push_back(deadletter(in, names,
                             "response: no case " + r->case_id + " on the partition of locality " +
                                 r->locality + " (unknown id, another locality, or retired)"));
    return;
  }
  // The gateway refuses support for anything but an idea; one that got past it
  // (written before the rule, or by another producer) is kept, not counted.
  if (r->type == responses::response_type::support && c->kind != "idea") {
    out.push_back(counted_deadletter(in, names, counters,
                                     "response: support for case " + c->id + " of kind " + c->kind +
                                         ": only an idea gathers support"));
    return;
  }
  std::vector<responses::response> crossed;
  if (!fold_response(c->lifecycle.edit(), c->divisions, *r, life.settings, crossed)) {
    ++counters.responses_repeated;
    return;
  }
  ++counters.responses_folded;
  if (!open) life.closed.touch(c->id, last_activity_ms(*c));
  write_case(*c, life.settings, names, in.partition, out);
  for (const auto& event : crossed) {
    ++counters.thresholds_crossed;
    out.push_back({names.responses,
                   event.case_id,
                   responses::to_json(event),
                   {{"content-type", "application/json"}},
                   -1});
  }
}

void fold_delivery_record(const inbound_record& in, deduplicator& engine, lifecycle_context& life,
                          const topics& names, std::vector<kafka::record>& out,
                          step_counters& counters) {
  auto summary = responses::parse_delivery_summary(in.value);
  if (!summary) {
    out.push_back(counted_deadletter(in, names, counters,
                                     deadletter_reason("delivery summary", summary.error())));
    return;
  }
  bool open = false;
  case_state* c = find_case(summary->case_id, engine, life, open);
  // A summary of a case already retired changes nothing anyone reads.
  if (!c || !fold_delivery_summary(c->lifecycle.edit(), *summary)) return;
  ++counters.deliveries_folded;
  write_case(*c, life.settings, names, in.partition, out);
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
    return counted_deadletter(in, names, counters, deadletter_reason("envelope", parsed.error()));
  }
  placement p = place(placement_input_of(*parsed));
  if (p.divisions.empty()) p.divisions.emplace_back("triage");
  // The placement's district: the envelope's own first, in the rules' spelling.
  kafka::record rec{names.repartition, p.district ? *p.district : std::string("citywide"),
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

kafka::record route_response(const inbound_record& in, const topics& names,
                             step_counters& counters) {
  auto r = responses::parse_json(in.value);
  if (!r) {
    return counted_deadletter(in, names, counters, deadletter_reason("response", r.error()));
  }
  kafka::record rec{names.repartition, r->locality, std::string(in.value),
                    forwarded_headers(in.headers), -1};
  rec.headers.push_back({std::string(input_kind_header), "response"});
  ++counters.routed;
  return rec;
}

std::optional<kafka::record> route_delivery(const inbound_record& in, const topics& names,
                                            step_counters& counters) {
  if (responses::delivery_record_type(in.value) != "summary") return std::nullopt;
  auto summary = responses::parse_delivery_summary(in.value);
  if (!summary) {
    return counted_deadletter(in, names, counters,
                              deadletter_reason("delivery summary", summary.error()));
  }
  kafka::record rec{names.repartition, summary->locality, std::string(in.value),
                    forwarded_headers(in.headers), -1};
  rec.headers.push_back({std::string(input_kind_header), "delivery"});
  ++counters.routed;
  return rec;
}

void deduplicate_repartitioned(const inbound_record& in, deduplicator& engine,
                               lifecycle_context& life, const placement_function& place,
                               const topics& names, std::vector<kafka::record>& out,
                               step_counters& counters) {
  if (const std::string* kind = kafka::find_header(in.headers, input_kind_header)) {
    if (*kind == "response") {
      fold_response_record(in, engine, life, names, out, counters);
    } else if (*kind == "delivery") {
      fold_delivery_record(in, engine, life, names, out, counters);
    } else {
      out.push_back(counted_deadletter(in, names, counters,
                                       "unknown " + std::string(input_kind_header) + ": " + *kind));
    }
    return;
  }
  auto parsed = envelope::parse_json(in.value);
  if (!parsed) {
    out.push_back(
        counted_deadletter(in, names, counters, deadletter_reason("envelope", parsed.error())));
    return;
  }
  placement p;
  if (const std::string* divisions = kafka::find_header(in.headers, divisions_header)) {
    p.divisions = text::comma_list(*divisions);
    if (const std::string* related = kafka::find_header(in.headers, related_header))
      p.related = text::comma_list(*related);
    if (const std::string* district = kafka::find_header(in.headers, district_header))
      p.district = *district;
    if (const std::string* kind = kafka::find_header(in.headers, kind_header)) p.kind = *kind;
    if (const std::string* urgency = kafka::find_header(in.headers, urgency_header))
      p.urgency = *urgency;
  }
  std::optional<std::vector<float>> carried;
  if (const std::string* vector = kafka::find_header(in.headers, embedding_header)) {
    const std::string* model = kafka::find_header(in.headers, embedding_model_header);
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
    out.push_back(counted_deadletter(in, names, counters, "envelope: " + r.error()));
    return;
  }

  decision d = engine.add(*r);
  count_match(d.kind, counters);
  if (d.kind != match_kind::exact_duplicate) {
    kafka::record unique{names.unique, locality_key(*r), std::string(in.value),
                         forwarded_headers(in.headers), -1};
    unique.headers.push_back({std::string(case_id_header), d.case_id});
    // The router reuses the embedding rather than computing it again.
    add_embedding_headers(p, place, unique.headers);
    out.push_back(std::move(unique));
  }
  if (case_state* c = engine.find_for_lifecycle(d.case_id)) {
    if (parsed->channel == "open311" && d.kind != match_kind::exact_duplicate) {
      note_service_request(c->lifecycle.edit(), parsed->channel_message_id, parsed->received_at,
                           life.settings);
    }
    write_case(*c, life.settings, names, in.partition, out);
  }
  for (case_state& closed : engine.close_expired(engine.clock_ms())) {
    ++counters.cases_closed;
    std::string id = closed.id;
    life.closed.put(std::move(closed));
    write_case(*life.closed.find(id), life.settings, names, in.partition, out);
  }
  for (const std::string& id : life.closed.expire(engine.clock_ms())) {
    ++counters.cases_retired;
    retire_case(id, names, in.partition, out);
  }
}

void keep_last_case_records(std::vector<kafka::record>& out, const topics& names) {
  std::set<std::pair<bool, std::string_view>> later;  // (on the changelog, case id)
  std::vector<bool> drop(out.size(), false);
  for (size_t i = out.size(); i-- > 0;) {
    const kafka::record& r = out[i];
    const bool changelog = r.topic == names.changelog;
    if (!changelog && r.topic != names.cases) continue;
    drop[i] = !later.emplace(changelog, r.key).second;
  }
  size_t kept = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) out[kept] = std::move(out[i]);
    ++kept;
  }
  out.resize(kept);
}

}  // namespace civic::dedup
