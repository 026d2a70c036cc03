#pragma once
// The open-data module's configuration keys (open.*) and their typed view.

#include <chrono>
#include <span>
#include <string>

#include "common/config/config.hpp"
#include "common/error/expected.hpp"
#include "gateway/channels/rate_limiter.hpp"

namespace civic::gateway::open {

std::span<const config::option> options();

struct open_settings {
  bool enabled = true;
  std::string id_key;  // HMAC key of the public ids
  size_t k = 5;
  size_t max_page_size = 500;
  int utc_offset_minutes = 9 * 60;
  channels::rate client_rate{10, 30};
  std::chrono::seconds max_age{30};
  std::string page_dir = "opendata";
  std::string districts_file = "deploy/config/districts/seoul-gu.geojson";
};

// `author_key`: the gateway's, from which the id key is derived when open.public_id_key is empty.
expected<open_settings, std::string> make_open_settings(const config::settings& s,
                                                        const std::string& author_key);

}  // namespace civic::gateway::open
