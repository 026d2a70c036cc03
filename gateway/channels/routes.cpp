#include "gateway/channels/routes.hpp"

namespace civic::gateway::channels {
namespace {

// The adapter's view of an HTTP request; `path` is what follows the channel's prefix.
request adapter_request(const http::request& req, std::string_view path) {
  request view;
  view.method = req.method;
  view.path = path;
  view.query = req.query;
  view.header = req.header;
  view.content_type = req.header("Content-Type").value_or("");
  view.body = req.body;
  view.client_address = req.client_address;
  view.now = req.received;
  return view;
}

}  // namespace

void add_routes(http::routes& r, dispatcher& d) {
  auto webhook = [&d](const http::request& req, http::responder answer) {
    d.handle(req.params.get("channel"), adapter_request(req, req.params.rest()), answer);
  };
  auto open311 = [&d](const http::request& req, http::responder answer) {
    d.handle("open311", adapter_request(req, req.params.rest()), answer);
  };
  for (std::string_view method : {"GET", "POST"}) {
    r.add(method, "/v1/webhooks/{channel}/*", webhook);
    r.add(method, "/open311/v2/*", open311);
  }
}

}  // namespace civic::gateway::channels
