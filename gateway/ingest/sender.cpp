#include "gateway/ingest/sender.hpp"

namespace civic::gateway::ingest {

std::string idempotency_key(const sender& s, std::string_view channel, std::string_view id) {
  std::string key;
  if (s.from == sender::kind::bridge) key.append("bridge/").append(s.name).append("/");
  key.append(channel).append(":").append(id);
  return key;
}

std::string event_source(const sender& s, std::string_view channel) {
  if (s.from == sender::kind::bridge) return "/gateway/bridges/" + s.name;
  return "/gateway/channels/" + std::string(channel);
}

}  // namespace civic::gateway::ingest
