#include "gateway/channels/open311/service_list.hpp"

#include <simdjson.h>

#include "common/envelope/envelope.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/json/writer.hpp"

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
    if (!envelope::is_identifier(s.code) || s.code.size() > envelope::limits::service_code_chars) {
      return unexpected(at + ": service_code must have 1 to 64 characters, no control characters");
    }
    if (!envelope::is_channel_name(s.division)) {
      return unexpected(at + ": division must be a division id (lower-case letters, digits, _)");
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
  json::writer w;
  w.StartArray();
  for (const auto& [code, s] : services) {
    w.StartObject();
    w.member("service_code", s.code);
    w.member("service_name", s.name);
    w.member("description", s.description);
    w.member("metadata", false);
    w.member("type", "realtime");
    w.member("keywords", s.keywords);
    w.member("group", s.group);
    w.EndObject();
  }
  w.EndArray();
  return w.str();
}

namespace {

using json_writer = json::writer;

}  // namespace

std::string definition_json(std::string_view code) {
  json::writer w;
  w.StartObject();
  w.member("service_code", code);
  w.Key("attributes");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string request_json(std::string_view id, std::string_view code) {
  json::writer w;
  w.StartArray();
  w.StartObject();
  w.member("service_request_id", id);
  w.member("status", "open");
  w.member("service_code", code);
  w.EndObject();
  w.EndArray();
  return w.str();
}

std::string created_json(std::string_view id) {
  json::writer w;
  w.StartArray();
  w.StartObject();
  w.member("service_request_id", id);
  w.member("service_notice", "Received; the responsible division will follow up.");
  w.Key("account_id");
  w.Null();
  w.EndObject();
  w.EndArray();
  return w.str();
}

}  // namespace civic::gateway::channels::open311
