#pragma once
// The gateway's network front: one port for HTTP/1.1 and WebSocket, optional
// TLS, a strand per connection, graceful shutdown on SIGTERM or SIGINT. It
// parses, routes (gateway/http/routes.hpp) and writes; what a request means
// is the handlers'. Beast and Asio stay behind this header.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error/expected.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ingest/in_flight_budget.hpp"
#include "gateway/ops/metrics.hpp"

namespace civic::gateway::subscribe {
class service;
}

namespace civic::gateway::server {

struct server_settings {
  std::string listen = "0.0.0.0:8080";  // host:port; port 0 picks a free one
  int threads = 2;
  std::chrono::milliseconds ws_idle_timeout{120'000};
  // Answer frames queued together go out in one system call (off: one each, for A/B runs).
  bool ws_coalesce_writes = true;
  std::chrono::milliseconds http_read_timeout{30'000};
  // After a connection's last response: how long, and how many bytes, the server
  // reads and drops what the client still sends before it closes (0 ms: close at once).
  std::chrono::milliseconds lingering_close_timeout{2'000};
  size_t lingering_close_bytes = 8 * 1024 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;  // also the largest WebSocket message read
  // Request header limits (Envoy's defaults: 60 KiB, 100 headers); beyond them, 431.
  size_t max_header_section_bytes = 60 * 1024;  // request line and every header
  size_t max_header_bytes = 8 * 1024;           // one header line, name and value
  size_t max_headers = 100;
  std::string tls_certificate_file;  // PEM chain; TLS is on when both files are set
  std::string tls_private_key_file;
  std::chrono::milliseconds shutdown_timeout{35'000};
};

// What the server works with; owned by main and outliving the server.
struct services {
  const civic::gateway::http::routes& routes;
  ops::metrics& metrics;
  // Shutdown, in order: begin_shutdown() stops admitting messages; the server
  // waits until in_flight() is 0 and every connection closed (or the timeout);
  // flush() then waits for Kafka's last reports, failing what is left.
  std::function<void()> begin_shutdown;
  std::function<size_t()> in_flight;
  std::function<void(std::chrono::milliseconds)> flush;
  // The subscribe module's WebSocket (issue 11), upgraded here by its own Beast
  // session (zero-copy batched writes, subprotocol answer); null: off.
  subscribe::service* subscribe = nullptr;
  // Room for a request body is taken here before it is read (and given back when
  // it has been), so that bodies being read count against the in-flight budget
  // too; null: unbounded.
  ingest::in_flight_budget* body_budget = nullptr;
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
