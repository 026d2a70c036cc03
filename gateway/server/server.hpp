#pragma once
// The gateway's network front: one port for HTTP/1.1 and WebSocket, optional
// TLS, a strand per connection, graceful shutdown on SIGTERM or SIGINT.
// Beast and Asio stay behind this header.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error/expected.hpp"
#include "gateway/answers/cases_api.hpp"
#include "gateway/channels/dispatcher.hpp"
#include "gateway/ingest/in_flight_budget.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/ingest/publisher.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::server {

struct server_settings {
  std::string listen = "0.0.0.0:8080";  // host:port; port 0 picks a free one
  int threads = 2;
  size_t ws_max_in_flight = 256;  // per WebSocket connection
  std::chrono::milliseconds ws_idle_timeout{120'000};
  std::chrono::milliseconds http_read_timeout{30'000};
  size_t max_body_bytes = 4 * 1024 * 1024;
  size_t max_batch_messages = 1000;
  std::string tls_certificate_file;  // PEM chain; TLS is on when both files are set
  std::string tls_private_key_file;
  std::chrono::milliseconds shutdown_timeout{35'000};
};

// What the sessions work with; owned by main and outliving the server.
struct services {
  ingest::pipeline& pipeline;
  ingest::in_flight_budget& budget;
  ingest::publisher& publisher;
  ops::metrics& metrics;
  channels::dispatcher& channels;
  answers::cases_api* cases = nullptr;  // null: the answers API is off
};

class server {
 public:
  static expected<std::unique_ptr<server>, std::string> create(const server_settings& settings,
                                                               services s);
  ~server();

  // The bound port (useful with port 0).
  uint16_t port() const;

  // Serves until a shutdown completes: SIGTERM/SIGINT (or shutdown()) stops
  // accepting, lets every in-flight message be acked or nacked, closes
  // WebSockets with 1001, flushes the producer, and returns.
  void run();
  void shutdown();

 private:
  struct impl;
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::gateway::server
