#pragma once
// The bridge credentials' configuration keys and the authenticator made from
// them: auth.bridge_keys (bridge_keys.hpp) and the shared auth.jwt.* keys
// (common/auth/auth_options.hpp; bridges' tokens have role "bridge").

#include <memory>
#include <span>
#include <string>

#include "common/config/config.hpp"
#include "common/error/expected.hpp"
#include "gateway/auth/bridge_auth.hpp"

namespace civic::gateway::auth {

std::span<const config::option> bridge_auth_options();

// Fails on a malformed auth.bridge_keys entry or JWT key. With no credential
// configured at all, every bridge request is refused (401) and a warning says so.
expected<std::unique_ptr<bridge_authenticator>, std::string> make_bridge_authenticator(
    const config::settings& s, channel_set webhook_channels, ops::metrics& m);

// `gateway bridge-key NAME CHANNELS`: prints a new key and the entry to add to
// auth.bridge_keys. Returns the process's exit status.
int bridge_key_command(std::span<const std::string_view> args);

}  // namespace civic::gateway::auth
