#pragma once
// The subscribe module's HTTP routes: the dashboard's files at /dashboard/.
// (/v1/subscribe is upgraded by the server's session hook into ws_session.)

#include "gateway/http/routes.hpp"

namespace civic::gateway::subscribe {

class service;

void add_routes(http::routes& r, const service& s);

}  // namespace civic::gateway::subscribe
