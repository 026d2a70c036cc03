#pragma once
// Channel adapters register themselves here from their own folder (a static
// registration object), so adding a channel touches nothing outside its folder
// and its configuration block.

#include <functional>
#include <map>
#include <memory>
#include <set>
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
  // The channels its messages carry when they are not just `name` (meta: whatsapp,
  // messenger, instagram). Bridges may not send as these without an explicit grant.
  std::span<const std::string_view> writes = {};
};

// A registration's make for an adapter built from the secret at `key`, which is required,
// and then the values more(get)... (new Adapter(secret, more(get)...)).
template <class Adapter, class... More>
auto make_with_secret(std::string_view key, More... more) {
  return
      [key, more...](const setting_lookup& get) -> expected<std::unique_ptr<adapter>, std::string> {
        const std::string& secret = get(key);
        if (secret.empty()) return unexpected(std::string(key) + " is required");
        return std::unique_ptr<adapter>(new Adapter(secret, more(get)...));
      };
}

// Called once per adapter during static initialisation; returns true.
bool register_channel(registration r);

// Every registered channel's configuration keys, for --help and loading.
std::vector<config::option> channel_options();

// Every channel a webhook adapter writes, enabled or not: the namespaces only
// verified deliveries (and bridges granted them by name) may write.
std::set<std::string, std::less<>> webhook_channels();

using adapter_map = std::map<std::string, std::unique_ptr<adapter>, std::less<>>;

// The adapters whose channels.<name>.enabled is true; an error names the channel
// whose configuration is incomplete.
expected<adapter_map, std::string> make_enabled_adapters(const config::settings& s);

}  // namespace civic::gateway::channels
