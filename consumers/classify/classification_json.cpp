#include "consumers/classify/classification_json.hpp"

#include "common/json/writer.hpp"

namespace civic::classify {
namespace {}  // namespace

void write_members(json::writer& w, const classification& c) {
  w.Key("divisions");
  w.StartArray();
  for (const auto& d : c.divisions) w.string(d);
  w.EndArray();
  w.member("kind", envelope::to_string(c.kind));
  w.Key("district");
  if (c.district)
    w.string(*c.district);
  else
    w.Null();
  w.member("urgency", to_string(c.level));
  w.Key("matched");
  w.StartArray();
  for (const auto& m : c.matched) {
    w.StartObject();
    w.member("rule", m.rule_id);
    w.member("target", m.target);
    w.member("weight", m.weight);
    w.Key("terms");
    w.StartArray();
    for (const auto& t : m.terms) w.string(t);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

std::string to_json_line(std::string_view id, const classification& c) {
  json::writer w;
  w.StartObject();
  w.member("id", id);
  write_members(w, c);
  w.EndObject();
  return w.str();
}

}  // namespace civic::classify
