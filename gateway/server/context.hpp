#pragma once
// What every session of one server shares.

#include <atomic>

#include "gateway/server/server.hpp"
#include "gateway/server/session_registry.hpp"

namespace civic::gateway::server {

struct context {
  server_settings settings;
  services svc;
  session_registry sessions;
  std::atomic<bool> shutting_down{false};
};

}  // namespace civic::gateway::server
