#include "gateway/subscribe/access.hpp"

#include "common/error/errc.hpp"
#include "common/text/comma_list.hpp"
#include "common/text/trim.hpp"

namespace civic::gateway::subscribe {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::optional<std::string_view> query_parameter(std::string_view target, std::string_view name) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

bool origin_allowed(const upgrade_view& req, const access_settings& s) {
  auto origin = req.header("Origin");
  if (!origin) return true;
  std::string_view o = text::trim(*origin);
  for (const auto& allowed : s.allowed_origins) {
    if (iequals(o, allowed)) return true;
  }
  auto host = req.header("Host");
  if (!host) return false;
  std::string own = std::string(req.tls ? "https://" : "http://") + std::string(text::trim(*host));
  return iequals(o, own);
}

std::optional<std::string> presented_token(const upgrade_view& req, bool& offered_subprotocol) {
  offered_subprotocol = false;
  std::optional<std::string> from_protocol;
  if (auto protocols = req.header("Sec-WebSocket-Protocol")) {
    text::for_each_comma_item(*protocols, [&](std::string_view item) {
      if (item == subprotocol) offered_subprotocol = true;
      if (item.starts_with("bearer.")) from_protocol = std::string(item.substr(7));
    });
  }
  if (auto authorization = req.header("Authorization")) {
    std::string_view a = text::trim(*authorization);
    if (a.size() > 7 && iequals(a.substr(0, 7), "Bearer "))
      return std::string(text::trim(a.substr(7)));
  }
  if (from_protocol) return from_protocol;
  if (auto q = query_parameter(req.target, "access_token")) return std::string(*q);
  return std::nullopt;
}

access_decision decide_access(const upgrade_view& req, const access_settings& s,
                              const civic::auth::jwt_verifier& verifier,
                              std::chrono::system_clock::time_point now) {
  access_decision d;
  if (!origin_allowed(req, s)) {
    d.origin_refused = true;
    d.code = errc::forbidden;
    d.detail = "this Origin may not open the subscribe socket (subscribe.allowed_origins)";
    return d;
  }
  auto token = presented_token(req, d.offered_subprotocol);
  if (!token || token->empty()) {
    d.code = errc::unauthenticated;
    d.detail =
        "a token is required: Authorization: Bearer, ?access_token=, or the subprotocol "
        "bearer.<token>";
    return d;
  }
  auto c = verifier.verify(*token, now);
  if (!c) {
    d.code = c.error().code;
    d.detail = c.error().detail;
    return d;
  }
  d.who = std::move(*c);
  return d;
}

}  // namespace civic::gateway::subscribe
