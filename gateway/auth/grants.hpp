#pragma once
// Which channels a bridge may send as. A verified webhook channel's namespace
// (what its adapter writes: telegram, line, slack, whatsapp, messenger,
// instagram, x, kakao, web, open311, and the adapters' own names) is never a
// bridge's unless its credential names that channel: "*" grants every other
// channel. (auth::claims::grants_channel reads "*" as everything; bridges do
// not use it for that reason.)

#include <set>
#include <span>
#include <string>
#include <string_view>

namespace civic::gateway::auth {

using channel_set = std::set<std::string, std::less<>>;

bool may_send_as(std::span<const std::string> granted, std::string_view channel,
                 const channel_set& webhook_channels);

}  // namespace civic::gateway::auth
