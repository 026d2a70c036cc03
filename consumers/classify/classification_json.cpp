#include "consumers/classify/classification_json.hpp"

#include "common/json/writer.hpp"

namespace civic::classify {

void write_members(json::writer& w, const classification& c) {
  w.strings("divisions", c.divisions);
  w.member("kind", envelope::to_string(c.kind));
  w.member("district", c.district);
  w.member("urgency", to_string(c.level));
  w.objects("matched", c.matched, [&](const rule_match& m) {
    w.member("rule", m.rule_id);
    w.member("target", m.target);
    w.member("weight", m.weight);
    w.strings("terms", m.terms);
  });
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
