#pragma once
// Every configuration key of the gateway, with its default and meaning
// (`gateway --help` prints this table), and the typed view main() wires from.

#include <memory>
#include <span>
#include <string>

#include "common/config/config.hpp"
#include "common/crypto/reply_token.hpp"
#include "common/error/expected.hpp"
#include "gateway/channels/rate_limiter.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/publisher.hpp"
#include "gateway/ingest/routes.hpp"
#include "gateway/server/server.hpp"

namespace civic::gateway {

std::span<const config::option> options();

struct gateway_config {
  server::server_settings server;
  ingest::inbound_limits limits;
  ingest::ingest_settings ingest;
  ingest::publisher::settings publisher;
  size_t in_flight_budget_bytes = 0;
  channels::rate channel_rate;
  channels::rate client_rate;
  std::string author_key;
  std::shared_ptr<crypto::reply_sealer> reply_sealer;  // null: no reply tokens
};

// Checks the relations between keys (a body must fit in the budget, ...).
expected<gateway_config, std::string> make_gateway_config(const config::settings& s);

}  // namespace civic::gateway
