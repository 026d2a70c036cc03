#pragma once
// The /v1/subscribe WebSocket: Origin and token checked at the upgrade, then a
// subscriber (subscriber.hpp) driven on the connection's strand. Included only
// by gateway/server/*.cpp (it names Beast types).

#include "gateway/server/beast.hpp"

namespace civic::gateway::server {
struct context;
}

namespace civic::gateway::subscribe {

template <class Stream>
void run_subscribe_session(Stream&& stream, server::request upgrade, server::context& ctx);

}  // namespace civic::gateway::subscribe
