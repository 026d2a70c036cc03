#include "consumers/router/offline_classify.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <istream>
#include <ostream>
#include <string>

#include "common/json/parse.hpp"
#include "common/json/writer.hpp"
#include "consumers/classify/classification_json.hpp"

namespace civic::router {
namespace {

std::string error_line(std::string_view id, std::string_view reason) {
  json::writer w;
  w.StartObject();
  w.Key("id");
  if (id.empty())
    w.Null();
  else
    w.string(id);
  w.member("error", reason);
  w.EndObject();
  return w.str();
}

std::string_view member_text(const rapidjson::Value& v, const char* name) {
  if (!v.HasMember(name) || !v[name].IsString()) return {};
  return {v[name].GetString(), v[name].GetStringLength()};
}

}  // namespace

offline_totals classify_lines(const classify::classifier& c, std::istream& in, std::ostream& out) {
  offline_totals totals;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++totals.lines;
    rapidjson::Document doc;
    json::parse(doc, line);
    if (doc.HasParseError() || !doc.IsObject()) {
      ++totals.errors;
      out << error_line(
                 {}, "line " + std::to_string(line_number) + ": not a JSON object" +
                         (doc.HasParseError()
                              ? std::string(": ") + rapidjson::GetParseError_En(doc.GetParseError())
                              : ""))
          << '\n';
      continue;
    }
    const auto id = member_text(doc, "id");
    if (!doc.HasMember("text") || !doc["text"].IsString()) {
      ++totals.errors;
      out << error_line(id, "line " + std::to_string(line_number) + ": \"text\" must be a string")
          << '\n';
      continue;
    }
    classify::input input;
    input.text = member_text(doc, "text");
    input.channel = member_text(doc, "channel");
    if (doc.HasMember("address") && doc["address"].IsString())
      input.address = member_text(doc, "address");
    if (doc.HasMember("lat") && doc["lat"].IsNumber() && doc.HasMember("lon") &&
        doc["lon"].IsNumber()) {
      input.lat = doc["lat"].GetDouble();
      input.lon = doc["lon"].GetDouble();
    }
    out << classify::to_json_line(id, c.classify(input)) << '\n';
  }
  out.flush();
  return totals;
}

}  // namespace civic::router
