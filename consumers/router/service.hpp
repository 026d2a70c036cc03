#pragma once
// The router service: feedback.unique -> division.<id>, exactly once.

#include <span>
#include <string_view>

namespace civic::router {

// Reads configuration from args (file -> env -> flags), runs until SIGTERM/SIGINT.
// Returns the process exit code.
int run_service(std::span<const std::string_view> args);

}  // namespace civic::router
