#include "gateway/subscribe/token_command.hpp"

#include <cstdio>
#include <vector>

#include "common/auth/auth_options.hpp"
#include "common/auth/jwt.hpp"
#include "common/config/config.hpp"
#include "common/config/program.hpp"
#include "common/text/comma_list.hpp"

namespace civic::gateway::subscribe {
namespace {

using config::value_type;

constexpr config::option token_options[] = {
    {"sub", "", "Who the token is for (required)."},
    {"divisions", "", "Comma-separated divisions the holder may read, or * for all."},
    {"role", "staff",
     "staff, supervisor (reads every division) or bridge (sends messages and support as "
     "--channels)."},
    {"channels", "", "Comma-separated channels a bridge token may send as (role bridge)."},
    {"ttl_s", "28800", "Lifetime in seconds.", value_type::integer, 60, 31 * 86400},
};

}  // namespace

int run_token_command(std::span<const std::string_view> args) {
  std::vector<config::option> all(std::begin(token_options), std::end(token_options));
  for (const auto& o : civic::auth::auth_options()) all.push_back(o);
  const config::program program{"gateway token",
                                "mints a local HS256 token: a dashboard's, or a bridge's"};
  auto s = config::start(program, all, args);
  if (!s) return s.error();
  const std::string& secret = s->text("auth.jwt.hs256_secret");
  if (secret.empty() || s->text("sub").empty()) {
    return config::refuse(program,
                          "needs --sub and auth.jwt.hs256_secret (env AUTH_JWT_HS256_SECRET)");
  }
  civic::auth::claims c;
  c.sub = s->text("sub");
  c.iss = s->text("auth.jwt.issuer");
  if (!s->text("auth.jwt.audience").empty()) c.aud = {s->text("auth.jwt.audience")};
  auto now = std::chrono::system_clock::now();
  c.iat = now;
  c.exp = now + std::chrono::seconds(s->integer("ttl_s"));
  c.role = s->text("role");
  c.divisions = text::comma_list(s->text("divisions"));
  c.channels = text::comma_list(s->text("channels"));
  if (!auth::is_known_role(c.role)) {
    return config::refuse(program, "--role is staff, supervisor or bridge");
  }
  if ((c.role == "bridge") != !c.channels.empty()) {
    return config::refuse(program, "--channels goes with --role=bridge, and only with it");
  }
  auto token = civic::auth::mint(c, "local", civic::auth::jwt_algorithm::hs256, secret);
  if (!token) {
    return config::refuse(program, token.error());
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace civic::gateway::subscribe
