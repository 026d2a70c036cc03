#pragma once
// Who vouches for a message: a channel's verified webhook, or an authenticated
// bridge. It decides the idempotency key's namespace and the CloudEvents
// source, so a bridge can never write a key a webhook delivery would get.

#include <functional>
#include <string>
#include <string_view>

namespace civic::gateway::ingest {

struct sender {
  enum class kind { webhook, bridge };
  kind from = kind::webhook;
  // The channel adapter ("telegram", "meta") or the bridge's credential name.
  std::string name;
  // Bridges: the channels the credential grants (see gateway/auth/grants.hpp).
  // Webhooks: unset; an adapter writes only its own channels.
  std::function<bool(std::string_view channel)> may_send_as;

  static sender webhook(std::string adapter) { return {kind::webhook, std::move(adapter), {}}; }
};

// "<channel>:<id>" for a webhook delivery; "bridge/<name>/<channel>:<id>" for a
// bridge. Channel names never hold '/', so the two can never be equal.
std::string idempotency_key(const sender& s, std::string_view channel, std::string_view id);

// CloudEvents source: "/gateway/channels/<channel>" or "/gateway/bridges/<name>".
std::string event_source(const sender& s, std::string_view channel);

}  // namespace civic::gateway::ingest
