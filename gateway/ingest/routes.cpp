#include "gateway/ingest/routes.hpp"

#include "common/text/comma_list.hpp"
#include "gateway/ingest/stream_handler.hpp"

namespace civic::gateway::ingest {

http::ws_factory stream_factory(pipeline& p, ingest_settings s, authenticate auth) {
  return [&p, s, auth](const http::request& upgrade)
             -> expected<std::shared_ptr<http::ws_handler>, http::response> {
    auto from = auth(upgrade);
    if (!from) return unexpected(std::move(from).error());
    stream_options options{
        s.ws_max_in_flight,
        // a comma-separated list of tokens (RFC 6455 §4.1)
        text::comma_list_has(upgrade.header("Sec-WebSocket-Protocol").value_or(""),
                             batch_acks_subprotocol),
        s.ws_burst_reports};
    return std::shared_ptr<http::ws_handler>(
        std::make_shared<stream_handler>(p, std::move(*from), options));
  };
}

void add_routes(http::routes& r, pipeline& p, ingest_settings s, authenticate auth) {
  r.add("POST", "/v1/messages", messages_handler(p, s, auth));
  r.add_websocket("/v1/stream", stream_factory(p, s, std::move(auth)));
}

}  // namespace civic::gateway::ingest
