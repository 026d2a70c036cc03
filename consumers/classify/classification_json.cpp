#include "consumers/classify/classification_json.hpp"

namespace civic::classify {
namespace {
void string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
}  // namespace

void write_members(rapidjson::Writer<rapidjson::StringBuffer>& w, const classification& c) {
  w.Key("divisions");
  w.StartArray();
  for (const auto& d : c.divisions) string(w, d);
  w.EndArray();
  w.Key("kind");
  string(w, envelope::to_string(c.kind));
  w.Key("district");
  if (c.district)
    string(w, *c.district);
  else
    w.Null();
  w.Key("urgency");
  string(w, to_string(c.level));
  w.Key("matched");
  w.StartArray();
  for (const auto& m : c.matched) {
    w.StartObject();
    w.Key("rule");
    string(w, m.rule_id);
    w.Key("target");
    string(w, m.target);
    w.Key("weight");
    w.Double(m.weight);
    w.Key("terms");
    w.StartArray();
    for (const auto& t : m.terms) string(w, t);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

std::string to_json_line(std::string_view id, const classification& c) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  string(w, id);
  write_members(w, c);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace civic::classify
