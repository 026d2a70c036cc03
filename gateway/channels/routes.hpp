#pragma once
// The channels' webhook URLs: /v1/webhooks/<channel>[/...] for every enabled
// channel, and Open311 GeoReport v2 under /open311/v2/.

#include "gateway/channels/dispatcher.hpp"
#include "gateway/http/routes.hpp"

namespace civic::gateway::channels {

void add_routes(http::routes& r, dispatcher& d);

}  // namespace civic::gateway::channels
