#pragma once
// The subscribe module as the gateway wires it: its configuration keys, the
// hub with its one live Kafka reader, the history readers, token verification,
// the Origin allow-list, the dashboard's files and the module's metrics.
// Beast-free: the server's upgrade hook hands sockets to ws_session.

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/auth/jwt.hpp"
#include "common/config/config.hpp"
#include "common/error/expected.hpp"
#include "gateway/subscribe/access.hpp"
#include "gateway/subscribe/history.hpp"
#include "gateway/subscribe/hub.hpp"
#include "gateway/subscribe/live_reader.hpp"
#include "gateway/subscribe/metrics.hpp"
#include "gateway/subscribe/static_files.hpp"
#include "gateway/subscribe/subscriber.hpp"

namespace civic::gateway::subscribe {

// subscribe.* and dashboard.* keys (auth.jwt.* come from common/auth).
std::span<const config::option> options();

struct service_settings {
  bool enabled = true;
  hub_settings streams;
  live_reader_settings live;
  history_settings history;
  session_settings session;
  access_settings access;
  size_t max_connections = 20'000;
  std::string dashboard_dir;
  std::string districts_file;
};

expected<service_settings, std::string> make_service_settings(const config::settings& s);

class service {
 public:
  // Starts the readers. Fails on a bad key, a missing dashboard folder or no token key.
  static expected<std::unique_ptr<service>, std::string> start(service_settings s,
                                                               civic::auth::verifier_settings keys);
  ~service();

  const service_settings& settings() const { return settings_; }
  subscribe_context& context() { return context_; }
  const civic::auth::jwt_verifier& verifier() const { return verifier_; }
  const static_files& dashboard() const { return dashboard_; }
  subscribe_metrics& metrics() { return metrics_; }
  void write_metrics(metrics::text_writer& w) const;
  bool kafka_reachable() const { return live_ && live_->kafka_reachable(); }

  // Connection admission (subscribe.max_connections).
  bool try_admit();
  void release();

 private:
  service(service_settings s, civic::auth::jwt_verifier v, static_files files);

  service_settings settings_;
  civic::auth::jwt_verifier verifier_;
  static_files dashboard_;
  subscribe_metrics metrics_;
  hub hub_;
  std::unique_ptr<history_readers> history_;
  std::unique_ptr<live_reader> live_;
  subscribe_context context_;
  std::atomic<size_t> connections_{0};
};

}  // namespace civic::gateway::subscribe
