#include <rapidjson/document.h>

#include <array>

#include "common/json/writer.hpp"
#include "common/responses/delivery.hpp"
#include "common/responses/json_fields.hpp"

namespace civic::responses {
namespace {

using writer = json::writer;
using detail::fields;
using detail::parse_object;

constexpr std::array<std::pair<delivery_outcome, std::string_view>, delivery_outcome_count>
    outcome_names{{{delivery_outcome::delivered, "delivered"},
                   {delivery_outcome::published, "published"},
                   {delivery_outcome::failed, "failed"},
                   {delivery_outcome::window_expired, "window_expired"},
                   {delivery_outcome::opted_out, "opted_out"},
                   {delivery_outcome::unconfirmed, "unconfirmed"}}};

void write_head(writer& w, std::string_view type, const std::string& update_id,
                const std::string& case_id, const std::string& locality, const std::string& at) {
  w.member("version", 1);
  w.member("type", type);
  w.member("update_id", update_id);
  w.member("case_id", case_id);
  w.member("locality", locality);
  w.member("at", at);
}

void write_counts(writer& w, const std::map<std::string, uint64_t, std::less<>>& counts) {
  w.StartObject();
  for (const auto& [name, n] : counts) {
    w.member(name, n);
  }
  w.EndObject();
}

expected<std::map<std::string, uint64_t, std::less<>>, field_error> read_counts(
    const rapidjson::Value& v, const std::string& pointer) {
  std::map<std::string, uint64_t, std::less<>> out;
  if (!v.IsObject()) {
    return unexpected(field_error{make_error_code(errc::wrong_type), pointer, "must be an object"});
  }
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    std::string name(m->name.GetString(), m->name.GetStringLength());
    if (!parse_delivery_outcome(name)) {
      return unexpected(field_error{make_error_code(errc::unknown_field), pointer + "/" + name,
                                    "is not a delivery outcome"});
    }
    if (!m->value.IsUint64()) {
      return unexpected(
          field_error{make_error_code(errc::wrong_type), pointer + "/" + name, "must be a count"});
    }
    out[name] = m->value.GetUint64();
  }
  return out;
}

struct head {
  std::string update_id, case_id, locality, at;
};

expected<head, field_error> read_head(const fields& f, std::string_view type) {
  auto version = f.integer("version", 1, 1);
  if (!version) return unexpected(version.error());
  auto t = f.string("type", 1, 16);
  if (!t) return unexpected(t.error());
  if (*t != type) {
    return unexpected(f.error(errc::invalid_value, "type", "must be " + std::string(type)));
  }
  head h;
  for (auto [name, out] : {std::pair<const char*, std::string*>{"update_id", &h.update_id},
                           {"case_id", &h.case_id},
                           {"locality", &h.locality},
                           {"at", &h.at}}) {
    auto s = f.string(name, 1, 256);
    if (!s) return unexpected(s.error());
    *out = std::move(*s);
  }
  return h;
}

constexpr std::array<std::string_view, 6> head_members{"version", "type",     "update_id",
                                                       "case_id", "locality", "at"};

}  // namespace

std::string_view to_string(delivery_outcome o) {
  for (const auto& [value, name] : outcome_names) {
    if (value == o) return name;
  }
  return "failed";
}

std::optional<delivery_outcome> parse_delivery_outcome(std::string_view text) {
  for (const auto& [value, name] : outcome_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string to_json(const delivery_outcome_record& r) {
  json::writer w;
  w.StartObject();
  write_head(w, "outcome", r.update_id, r.case_id, r.locality, r.at);
  w.member("recipient", r.recipient);
  w.member("channel", r.channel);
  w.member("outcome", to_string(r.outcome));
  w.member("mode", r.mode);
  w.member("detail", r.detail);
  w.member("attempts", r.attempts);
  w.EndObject();
  return w.str();
}

std::string to_json(const delivery_summary& s) {
  json::writer w;
  w.StartObject();
  write_head(w, "summary", s.update_id, s.case_id, s.locality, s.at);
  w.member("recipients", s.recipients);
  w.member("complete", s.complete);
  w.Key("outcomes");
  write_counts(w, s.outcomes);
  w.Key("by_channel");
  w.StartObject();
  for (const auto& [channel, counts] : s.by_channel) {
    w.key(channel);
    write_counts(w, counts);
  }
  w.EndObject();
  w.EndObject();
  return w.str();
}

std::optional<std::string> delivery_record_type(std::string_view json) {
  auto doc = parse_object(json);
  if (!doc) return std::nullopt;
  const rapidjson::Value& d = *doc;  // const: see reply_token.cpp
  auto t = d.FindMember("type");
  if (t == d.MemberEnd() || !t->value.IsString()) return std::nullopt;
  return std::string(t->value.GetString(), t->value.GetStringLength());
}

expected<delivery_summary, field_error> parse_delivery_summary(std::string_view json) {
  auto doc = parse_object(json);
  if (!doc) return unexpected(doc.error());
  fields f(*doc, "");
  if (auto odd = f.only(head_members, std::array<std::string_view, 4>{"recipients", "complete",
                                                                      "outcomes", "by_channel"})) {
    return unexpected(*odd);
  }
  auto h = read_head(f, "summary");
  if (!h) return unexpected(h.error());
  delivery_summary s{h->update_id, h->case_id, h->locality, h->at, 0, false, {}, {}};
  auto recipients = f.integer("recipients", 0, INT64_MAX);
  if (!recipients) return unexpected(recipients.error());
  s.recipients = static_cast<uint64_t>(*recipients);
  auto complete = f.boolean("complete");
  if (!complete) return unexpected(complete.error());
  s.complete = *complete;
  auto outcomes = read_counts(*f.find("outcomes"), "/outcomes");
  if (!outcomes) return unexpected(outcomes.error());
  s.outcomes = std::move(*outcomes);
  const rapidjson::Value& channels = *f.find("by_channel");
  if (!channels.IsObject()) {
    return unexpected(f.error(errc::wrong_type, "by_channel", "must be an object"));
  }
  for (auto m = channels.MemberBegin(); m != channels.MemberEnd(); ++m) {
    std::string name(m->name.GetString(), m->name.GetStringLength());
    auto counts = read_counts(m->value, "/by_channel/" + name);
    if (!counts) return unexpected(counts.error());
    s.by_channel[name] = std::move(*counts);
  }
  return s;
}

expected<delivery_outcome_record, field_error> parse_delivery_outcome_record(
    std::string_view json) {
  auto doc = parse_object(json);
  if (!doc) return unexpected(doc.error());
  fields f(*doc, "");
  if (auto odd =
          f.only(head_members, std::array<std::string_view, 6>{"recipient", "channel", "outcome",
                                                               "mode", "detail", "attempts"})) {
    return unexpected(*odd);
  }
  auto h = read_head(f, "outcome");
  if (!h) return unexpected(h.error());
  delivery_outcome_record r;
  r.update_id = h->update_id;
  r.case_id = h->case_id;
  r.locality = h->locality;
  r.at = h->at;
  for (auto [name, out] : {std::pair<const char*, std::string*>{"recipient", &r.recipient},
                           {"channel", &r.channel},
                           {"mode", &r.mode}}) {
    auto s = f.string(name, 1, 256);
    if (!s) return unexpected(s.error());
    *out = std::move(*s);
  }
  auto detail = f.string("detail", 0, 1000);
  if (!detail) return unexpected(detail.error());
  r.detail = std::move(*detail);
  auto outcome = f.string("outcome", 1, 32);
  if (!outcome) return unexpected(outcome.error());
  auto parsed = parse_delivery_outcome(*outcome);
  if (!parsed) return unexpected(f.error(errc::invalid_value, "outcome", "is not an outcome"));
  r.outcome = *parsed;
  auto attempts = f.integer("attempts", 0, 1000);
  if (!attempts) return unexpected(attempts.error());
  r.attempts = static_cast<uint32_t>(*attempts);
  return r;
}

}  // namespace civic::responses
