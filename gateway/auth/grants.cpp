#include "gateway/auth/grants.hpp"

namespace civic::gateway::auth {

bool may_send_as(std::span<const std::string> granted, std::string_view channel,
                 const channel_set& webhook_channels) {
  bool wildcard = false;
  for (const auto& g : granted) {
    if (g == channel) return true;
    wildcard |= g == "*";
  }
  return wildcard && !webhook_channels.contains(channel);
}

}  // namespace civic::gateway::auth
