#include "consumers/router/routing.hpp"

#include "common/envelope/envelope_json.hpp"
#include "common/json/writer.hpp"
#include "common/log/log.hpp"
#include "consumers/classify/classification_json.hpp"
#include "consumers/classify/model/embedding_codec.hpp"
#include "consumers/classify/model/semantic_model.hpp"

namespace civic::router {
namespace {

using json_writer = json::writer;

// CloudEvents attributes and the trace context travel with the message.
bool forwarded(std::string_view name) {
  return name.starts_with("ce_") || name == "traceparent" || name == "tracestate";
}

// A dead letter, counted.
kafka::record deadletter(const inbound& in, const topic_names& names, route_counters& counters,
                         std::string reason) {
  ++counters.deadlettered;
  return kafka::deadletter_record(names.deadletter, in.key, in.value, in.headers, std::move(reason),
                                  "router:" + std::string(in.topic));
}

std::size_t record_bytes(const kafka::record& r) {
  std::size_t n = r.key.size() + r.value.size();
  for (const auto& h : r.headers) n += h.name.size() + h.value.size();
  return n;
}

// Where a record too large to copy lies: {"too_large":{"topic":..,"partition":..,
// "offset":..,"bytes":..}}. Valid JSON, never a cut-off copy of the input.
std::string reference_json(const inbound& in) {
  json::writer w;
  w.StartObject();
  w.Key("too_large");
  w.StartObject();
  w.member("topic", in.topic);
  w.member("partition", in.partition);
  w.member("offset", in.offset);
  w.member("bytes", in.value.size());
  w.EndObject();
  w.EndObject();
  return w.str();
}

// A dead letter for a record the limits do not let through, counted: the input
// itself when that fits in max_output_bytes, else the reference.
kafka::record too_large(const inbound& in, const topic_names& names, const route_limits& limits,
                        route_counters& counters, std::string reason) {
  ++counters.too_large;
  auto rec = deadletter(in, names, counters, std::move(reason));
  if (record_bytes(rec) > limits.max_output_bytes) rec.value = reference_json(in);
  if (record_bytes(rec) > limits.max_output_bytes)  // the input's own headers are that large
    rec.headers.erase(rec.headers.begin(), rec.headers.end() - 2);
  return rec;
}

std::string routed_json(std::string_view case_id, std::string_view division,
                        const classify::classification& c, std::string_view kind,
                        const std::optional<std::string>& district, std::string_view rules_version,
                        std::string_view envelope_json) {
  json::writer w;
  w.StartObject();
  w.member("schema", routed_schema);
  w.member("case_id", case_id);
  w.member("division", division);
  // The classification members, with kind and district as decided below.
  classify::classification shown = c;
  shown.kind = envelope::parse_kind(kind).value_or(c.kind);
  shown.district = district;
  classify::write_members(w, shown);
  w.member("rules_version", rules_version);
  w.Key("envelope");
  w.RawValue(envelope_json.data(), envelope_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return w.str();
}

}  // namespace

void route(const inbound& in, const classify::classifier& rules, const topic_names& names,
           std::vector<kafka::record>& out, route_counters& counters, const route_limits& limits) {
  ++counters.messages;
  if (in.value.size() > limits.max_input_bytes) {
    out.push_back(too_large(in, names, limits, counters,
                            "too large: the record is " + std::to_string(in.value.size()) +
                                " bytes, over router.max_input_bytes (" +
                                std::to_string(limits.max_input_bytes) + ")"));
    return;
  }
  auto parsed = envelope::parse_json(in.value);
  if (!parsed) {
    out.push_back(deadletter(in, names, counters, deadletter_reason("envelope", parsed.error())));
    return;
  }
  const envelope::message& e = *parsed;
  classify::input input{.text = e.text, .channel = e.channel};
  if (e.place) {
    if (e.place->address) input.address = *e.place->address;
    input.lat = e.place->lat;
    input.lon = e.place->lon;
    input.district = e.place->district;
  }
  // The embedding dedup computed for this text, when it used the same encoder.
  std::optional<std::vector<float>> carried;
  if (const auto& model = rules.model()) {
    const std::string* vector = kafka::find_header(in.headers, classify::model::embedding_header);
    const std::string* model_id =
        kafka::find_header(in.headers, classify::model::embedding_model_header);
    if (vector && model_id && *model_id == model->encoder_id())
      carried = classify::model::decode_embedding(*vector, model->encoder().dims());
    if (carried) {
      input.embedding = *carried;
      ++counters.embeddings_reused;
    }
  }
  const auto c = rules.classify(input);
  if (c.text_unmatched) {
    // Rare (RE2 out of its memory budget on this text); triage gets the message
    // with the reason in `matched`, and operators get a count and this line.
    ++counters.text_unmatched;
    log::warn("router.classify.text_not_matched",
              {{"envelope_id", e.id}, {"text_bytes", e.text.size()}});
  }

  const std::string* case_header = kafka::find_header(in.headers, case_id_header);
  const std::string case_id = case_header && !case_header->empty() ? *case_header : e.id;
  // What the citizen or the channel stated wins over what the rules guessed.
  const std::string_view kind = envelope::to_string(e.kind.value_or(c.kind));
  const std::optional<std::string>& district = c.district;  // the stated one first

  std::vector<kafka::header> headers;
  for (const auto& h : in.headers)
    if (forwarded(h.name)) headers.push_back(h);
  headers.push_back({"content-type", "application/json"});
  headers.push_back({std::string(case_id_header), case_id});

  // All or nothing: a message too large for one of its divisions goes to no
  // division, only to the dead letters.
  const auto first = out.size();
  for (const auto& division : c.divisions) {
    out.push_back(
        {names.division_prefix + division, case_id,
         routed_json(case_id, division, c, kind, district, rules.rules_version(), in.value),
         headers, -1});
    if (const auto bytes = record_bytes(out.back()); bytes > limits.max_output_bytes) {
      const auto topic = out.back().topic;
      out.resize(first);
      out.push_back(too_large(in, names, limits, counters,
                              "too large: the routed record for " + topic + " would be " +
                                  std::to_string(bytes) + " bytes, over router.max_output_bytes (" +
                                  std::to_string(limits.max_output_bytes) + ")"));
      return;
    }
  }
  counters.routed_records += c.divisions.size();
  if (c.divisions.size() > 1) ++counters.two_divisions;
  if (c.primary_division() == classify::triage_division) ++counters.triage;
  if (c.level == classify::urgency::high) ++counters.urgent;
}

}  // namespace civic::router
