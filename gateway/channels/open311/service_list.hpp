#pragma once
// The Open311 services the city offers, each mapped to the division that owns
// it, loaded from a JSON file (deploy/config/open311-services.json).

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"

namespace civic::gateway::channels::open311 {

struct service {
  std::string code, name, description, group, division, keywords;
};

using service_list = std::map<std::string, service, std::less<>>;

expected<service_list, std::string> load_services(const std::filesystem::path& file);

// GET services.json: the GeoReport v2 service list.
std::string services_json(const service_list& services);
// GET services/{code}.json: the service definition (no attributes defined yet).
std::string definition_json(std::string_view code);
// GET requests/{id}.json: the request, open until the answer loop reports back.
std::string request_json(std::string_view id, std::string_view code);
// POST requests.json: the new request's id.
std::string created_json(std::string_view id);

}  // namespace civic::gateway::channels::open311
