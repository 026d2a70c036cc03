#include "gateway/ingest/routes.hpp"

#include "gateway/ingest/stream_handler.hpp"

namespace civic::gateway::ingest {
namespace {

// Sec-WebSocket-Protocol is a comma-separated list of tokens (RFC 6455 §4.1).
bool offers(std::optional<std::string_view> header, std::string_view protocol) {
  std::string_view rest = header.value_or("");
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == protocol) return true;
  }
  return false;
}

}  // namespace

http::ws_factory stream_factory(pipeline& p, ingest_settings s, authenticate auth) {
  return [&p, s, auth](const http::request& upgrade)
             -> expected<std::shared_ptr<http::ws_handler>, http::response> {
    auto from = auth(upgrade);
    if (!from) return unexpected(std::move(from).error());
    stream_options options{s.ws_max_in_flight,
                           offers(upgrade.header("Sec-WebSocket-Protocol"), batch_acks_subprotocol),
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
