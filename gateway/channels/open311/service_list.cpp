#include "gateway/channels/open311/service_list.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

namespace civic::gateway::channels::open311 {

expected<service_list, std::string> load_services(const std::filesystem::path& file) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(file.string()).get(text)) {
    return unexpected("cannot read Open311 services file " + file.string());
  }
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(text).get_array().get(list)) {
    return unexpected(file.string() + ": must be a JSON array of services");
  }
  service_list services;
  size_t index = 0;
  for (auto item : list) {
    service s;
    std::string at = file.string() + ": /" + std::to_string(index++);
    auto read = [&](const char* name, std::string& out, bool required) {
      std::string_view value;
      if (item[name].get_string().get(value)) return !required;
      out = std::string(value);
      return true;
    };
    if (!read("service_code", s.code, true) || !read("service_name", s.name, true) ||
        !read("division", s.division, true)) {
      return unexpected(at + " needs string members service_code, service_name and division");
    }
    read("description", s.description, false);
    read("group", s.group, false);
    read("keywords", s.keywords, false);
    std::string code = s.code;
    if (!services.emplace(code, std::move(s)).second) {
      return unexpected(at + ": service_code " + code + " appears twice");
    }
  }
  if (services.empty()) return unexpected(file.string() + ": lists no service");
  return services;
}

std::string services_json(const service_list& services) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const auto& [code, s] : services) {
    w.StartObject();
    w.Key("service_code");
    w.String(s.code);
    w.Key("service_name");
    w.String(s.name);
    w.Key("description");
    w.String(s.description);
    w.Key("metadata");
    w.Bool(false);
    w.Key("type");
    w.String("realtime");
    w.Key("keywords");
    w.String(s.keywords);
    w.Key("group");
    w.String(s.group);
    w.EndObject();
  }
  w.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace civic::gateway::channels::open311
