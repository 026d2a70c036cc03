#include "gateway/auth/settings.hpp"

#include <cstdio>

#include "common/auth/auth_options.hpp"
#include "common/envelope/field_checks.hpp"
#include "common/log/log.hpp"

namespace civic::gateway::auth {
namespace {

constexpr config::option options[] = {
    {"auth.bridge_keys", "",
     "Bridges' API keys: NAME:SHA256HEX:CHANNELS entries separated by ';' (the SHA-256 of each "
     "key, never the key; CHANNELS comma-separated, * for every channel that is not a verified "
     "webhook's). `gateway bridge-key NAME CHANNELS` makes a key and its entry. Secret."},
};

}  // namespace

std::span<const config::option> bridge_auth_options() { return options; }

expected<std::unique_ptr<bridge_authenticator>, std::string> make_bridge_authenticator(
    const config::settings& s, channel_set webhook_channels, ops::metrics& m) {
  auto keys = parse_bridge_keys(s.text("auth.bridge_keys"));
  if (!keys) return unexpected(std::move(keys).error());
  std::optional<civic::auth::jwt_verifier> tokens;
  if (!s.text("auth.jwt.hs256_secret").empty() || !s.text("auth.jwt.public_keys").empty()) {
    auto settings = civic::auth::verifier_settings_from(s);
    if (!settings) return unexpected(std::move(settings).error());
    auto verifier = civic::auth::jwt_verifier::create(std::move(*settings));
    if (!verifier) return unexpected(std::move(verifier).error());
    tokens.emplace(std::move(*verifier));
  }
  if (keys->empty() && !tokens) {
    log::warn("auth.no_bridge_credentials",
              {{"detail",
                "neither auth.bridge_keys nor auth.jwt.* is set: /v1/messages and /v1/stream "
                "refuse every request (401)"}});
  }
  for (const auto& k : *keys) {
    log::info("auth.bridge_key", {{"bridge", k.name}, {"channels", k.channels.size()}});
  }
  return std::make_unique<bridge_authenticator>(std::move(*keys), std::move(tokens),
                                                std::move(webhook_channels), m);
}

int bridge_key_command(std::span<const std::string_view> args) {
  if (args.size() != 2 || !envelope::is_bridge_name(args[0])) {
    std::fputs(
        "usage: gateway bridge-key NAME CHANNELS\n"
        "  NAME      the bridge, ^[a-z0-9][a-z0-9._-]{0,63}$ (part of its messages' keys)\n"
        "  CHANNELS  comma-separated channel names it may send as, or * for every channel\n"
        "            that is not a verified webhook's (name those explicitly)\n"
        "Prints a new API key (give it to the bridge; it is not stored) and the entry to add\n"
        "to auth.bridge_keys (entries separated by ';').\n",
        stderr);
    return 2;
  }
  auto key = make_bridge_key();
  if (!key) {
    std::fputs("gateway bridge-key: no random bytes from OpenSSL\n", stderr);
    return 1;
  }
  std::string entry = bridge_key_entry(args[0], *key, args[1]);
  if (auto checked = parse_bridge_keys(entry); !checked) {
    std::fprintf(stderr, "gateway bridge-key: %s\n", checked.error().c_str());
    return 2;
  }
  std::printf("key:   %s\nentry: %s\n", key->c_str(), entry.c_str());
  return 0;
}

}  // namespace civic::gateway::auth
