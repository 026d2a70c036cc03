#include "gateway/channels/registry.hpp"

namespace civic::gateway::channels {
namespace {

std::vector<registration>& registrations() {
  static std::vector<registration> all;  // constructed on first use: safe from static initialisers
  return all;
}

}  // namespace

bool register_channel(registration r) {
  registrations().push_back(std::move(r));
  return true;
}

std::vector<config::option> channel_options() {
  std::vector<config::option> all;
  for (const auto& r : registrations()) all.insert(all.end(), r.options.begin(), r.options.end());
  return all;
}

std::set<std::string, std::less<>> webhook_channels() {
  std::set<std::string, std::less<>> all;
  for (const auto& r : registrations()) {
    all.emplace(r.name);
    for (std::string_view channel : r.writes) all.emplace(channel);
  }
  return all;
}

expected<adapter_map, std::string> make_enabled_adapters(const config::settings& s) {
  adapter_map enabled;
  for (const auto& r : registrations()) {
    if (!s.boolean("channels." + std::string(r.name) + ".enabled")) continue;
    auto made = r.make([&](std::string_view key) -> const std::string& { return s.text(key); });
    if (!made) return unexpected("channel " + std::string(r.name) + ": " + made.error());
    enabled.emplace(std::string(r.name), std::move(*made));
  }
  return enabled;
}

}  // namespace civic::gateway::channels
