#include "gateway/auth/bridge_auth.hpp"

#include "common/envelope/field_checks.hpp"
#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::auth {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> scheme_credential(std::optional<std::string_view> authorization) {
  if (!authorization) return std::nullopt;
  std::string_view value = *authorization;
  size_t space = value.find(' ');
  if (space == std::string_view::npos || !equals_ignoring_case(value.substr(0, space), "bearer")) {
    return std::nullopt;
  }
  std::string_view credential = value.substr(space + 1);
  while (!credential.empty() && credential.front() == ' ') credential.remove_prefix(1);
  while (!credential.empty() && credential.back() == ' ') credential.remove_suffix(1);
  if (credential.empty()) return std::nullopt;
  return credential;
}

std::string_view refusal_detail(std::error_code why) {
  if (why == errc::unauthenticated)
    return "send a bridge credential: Authorization: Bearer <API key or JWT>";
  if (why == errc::credential_expired) return "the token has expired";
  if (why == errc::forbidden) return "the token is not a bridge's (role must be bridge)";
  return "the credential is not valid";
}

}  // namespace

std::optional<std::string_view> bearer_credential(const http::header_lookup& header) {
  return scheme_credential(header("Authorization"));
}

bridge_authenticator::bridge_authenticator(std::vector<bridge_key> keys,
                                           std::optional<civic::auth::jwt_verifier> tokens,
                                           channel_set webhook_channels, ops::metrics& m)
    : keys_(std::move(keys)),
      tokens_(std::move(tokens)),
      webhook_channels_(std::move(webhook_channels)),
      metrics_(m) {}

ingest::sender bridge_authenticator::bridge(std::string name,
                                            std::vector<std::string> channels) const {
  ingest::sender s;
  s.from = ingest::sender::kind::bridge;
  s.name = std::move(name);
  s.may_send_as = [channels = std::move(channels), this](std::string_view channel) {
    return may_send_as(channels, channel, webhook_channels_);
  };
  return s;
}

expected<ingest::sender, std::error_code> bridge_authenticator::authenticate(
    std::optional<std::string_view> authorization,
    std::chrono::system_clock::time_point now) const {
  if (!authorization) return unexpected(std::error_code(errc::unauthenticated));
  auto credential = scheme_credential(authorization);
  if (!credential) return unexpected(std::error_code(errc::invalid_credential));
  if (credential->starts_with(api_key_prefix)) {
    const bridge_key* key = find_bridge_key(keys_, *credential);
    if (!key) return unexpected(std::error_code(errc::invalid_credential));
    return bridge(key->name, key->channels);
  }
  if (!tokens_) return unexpected(std::error_code(errc::invalid_credential));
  auto claims = tokens_->verify(*credential, now);
  if (!claims) return unexpected(claims.error().code);
  if (claims->role != "bridge") return unexpected(std::error_code(errc::forbidden));
  if (!envelope::is_bridge_name(claims->sub)) {
    return unexpected(std::error_code(errc::invalid_credential));
  }
  return bridge(claims->sub, claims->channels);
}

expected<ingest::sender, http::response> bridge_authenticator::operator()(
    const http::request& req) const {
  auto who = authenticate(req.header("Authorization"), req.received);
  if (!who) {
    metrics_.auth_refused(who.error());
    return unexpected(http::problem(who.error(), refusal_detail(who.error())));
  }
  metrics_.auth_accepted();
  return std::move(*who);
}

}  // namespace civic::gateway::auth
