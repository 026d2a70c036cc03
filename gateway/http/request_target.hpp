#pragma once
// RFC 9112 §3.2.2: a server must accept a request target in absolute-form
// ("http://host/v1/messages?x"), which clients send to proxies and some send
// everywhere; routing only ever sees the origin-form ("/v1/messages?x").

#include <string_view>

namespace civic::gateway::http {

// The path and query of an absolute-form http(s) target, or the target itself.
std::string_view origin_form(std::string_view target);

}  // namespace civic::gateway::http
