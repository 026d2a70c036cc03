#pragma once
// Every configuration key of the router service with its default (`router --help`).

#include <chrono>
#include <span>
#include <string>

#include "common/config/config.hpp"
#include "consumers/router/routing.hpp"

namespace civic::router {

std::span<const config::option> options();

struct service_config {
  std::string rules_file;
  std::string model_file;  // heads of the sentence model; empty: rules only
  std::string model_dir;   // the encoder's folder; empty: the bootstrap cache
  std::chrono::milliseconds rules_check_interval{2000};
  std::string group_id;
  std::string transactional_id;
  topic_names names;
  route_limits limits;
  std::size_t max_batch_records = 500;
  std::chrono::milliseconds max_batch_wait{20};  // the option's default
  std::chrono::seconds stats_interval{30};
  std::string ops_listen;  // empty: no operations endpoints
  std::chrono::seconds ready_stall{60};
};

expected<service_config, std::string> make_service_config(const config::settings& s);

}  // namespace civic::router
