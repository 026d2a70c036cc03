#pragma once
// Channel adapters register themselves here from their own folder (a static
// registration object), so adding a channel touches nothing outside its folder
// and its configuration block.

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.hpp"
#include "common/error/expected.hpp"
#include "gateway/channels/channel.hpp"

namespace civic::gateway::channels {

// The values of one channel's configuration block, read by full key
// ("channels.line.channel_secret").
using setting_lookup = std::function<const std::string&(std::string_view key)>;

struct registration {
  std::string_view name;  // also the URL segment: /v1/webhooks/<name>
  // The channel's keys, "channels.<name>.enabled" first, each documented.
  std::span<const config::option> options;
  std::function<expected<std::unique_ptr<adapter>, std::string>(const setting_lookup&)> make;
};

// Called once per adapter during static initialisation; returns true.
bool register_channel(registration r);

// Every registered channel's configuration keys, for --help and loading.
std::vector<config::option> channel_options();

using adapter_map = std::map<std::string, std::unique_ptr<adapter>, std::less<>>;

// The adapters whose channels.<name>.enabled is true; an error names the channel
// whose configuration is incomplete.
expected<adapter_map, std::string> make_enabled_adapters(const config::settings& s);

}  // namespace civic::gateway::channels
