#pragma once
// Open311 service_request_ids: "<service code>-<content hash>-<signature>",
// derived from the request's content (a resent request gets the same id, the
// idempotency key) and signed with channels.open311.request_id_key, so a
// look-up can tell the gateway's own ids from made-up ones without state.
// Shared by the Open311 adapter (which issues them) and the answers API
// (which answers GET requests/{id}.json from the case).

#include <optional>
#include <string>
#include <string_view>

namespace civic::gateway::channels {

class open311_ids {
 public:
  explicit open311_ids(std::string key) : key_(std::move(key)) {}

  // The id for a service code and a content hash.
  std::string issue(std::string_view service_code, std::string_view content) const;
  // The service code of an id this gateway issued; nullopt for any other.
  std::optional<std::string> issued_service(std::string_view id) const;

 private:
  std::string signature(std::string_view base) const;
  std::string key_;
};

}  // namespace civic::gateway::channels
