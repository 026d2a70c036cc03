#pragma once
// Turns a validated inbound message into envelope v1: gateway id and time,
// cleaned and masked text, language, pseudonymous author, reply reference.

#include <chrono>
#include <memory>
#include <string>

#include "common/crypto/reply_token.hpp"
#include "common/envelope/envelope.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/sender.hpp"

namespace civic::gateway::ingest {

struct normalize_settings {
  std::string author_key;  // HMAC key for author pseudonyms; a secret
  // Seals where an answer goes into the envelope's reply token; without it no
  // envelope carries a reply reference (the citizen cannot be answered).
  std::shared_ptr<crypto::reply_sealer> reply_sealer = nullptr;
};

// The pseudonym of a handle on a channel: hex of the first 16 bytes of
// HMAC-SHA256(key, channel "\n" handle). Stable for a key, not reversible without it.
std::string pseudonymous_author(const std::string& key, std::string_view channel,
                                std::string_view handle);

// `from` decides the idempotency key's namespace and the envelope's source.
expected<envelope::message, field_error> normalize(inbound_message in, const sender& from,
                                                   const normalize_settings& settings,
                                                   std::chrono::system_clock::time_point now);

}  // namespace civic::gateway::ingest
