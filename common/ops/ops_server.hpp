#pragma once
// The operations endpoints of a service that has no HTTP server of its own (the
// consumer services): GET /healthz (the process answers), GET /readyz (200 or
// 503 with a JSON body saying why) and GET /metrics (Prometheus text), on one
// thread of its own. Boost.Beast stays inside ops_server.cpp.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"

namespace civic::ops {

struct readiness {
  bool ready = false;
  std::string json;  // the /readyz body, a JSON object
};

struct endpoints {
  std::function<readiness()> ready;
  std::function<std::string()> metrics;  // the exposition text
};

class ops_server {
 public:
  // listen: "HOST:PORT" (port 0: any free one). The handlers run on the server's
  // thread, so they must be safe to call while the service works.
  static expected<std::unique_ptr<ops_server>, std::string> start(std::string_view listen,
                                                                  endpoints handlers);
  ~ops_server();  // stops answering and joins the thread
  ops_server(const ops_server&) = delete;
  ops_server& operator=(const ops_server&) = delete;

  uint16_t port() const;

 private:
  struct impl;
  explicit ops_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::ops
