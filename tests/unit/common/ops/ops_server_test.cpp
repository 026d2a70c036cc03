#include "common/ops/ops_server.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

using namespace civic;

namespace {

// One HTTP/1.1 request over a fresh connection; the whole answer (Connection: close).
std::string get(uint16_t port, const std::string& request_line) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string req = request_line + "\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

}  // namespace

TEST_CASE("the ops server answers /healthz, /readyz (200 or 503 with why) and /metrics") {
  std::atomic<bool> ready{false};
  auto server = ops::ops_server::start(
      "127.0.0.1:0", {[&] {
                        return ready ? ops::readiness{true, R"({"status":"ready"})"}
                                     : ops::readiness{
                                           false, R"({"status":"not_ready","reason":"restoring"})"};
                      },
                      [] { return std::string("# TYPE x_total counter\nx_total 3\n"); }});
  REQUIRE(server);
  uint16_t port = (*server)->port();
  REQUIRE(port != 0);

  CHECK(get(port, "GET /healthz HTTP/1.1").starts_with("HTTP/1.1 200"));
  std::string not_ready = get(port, "GET /readyz HTTP/1.1");
  CHECK(not_ready.starts_with("HTTP/1.1 503"));
  CHECK(not_ready.find(R"("reason":"restoring")") != std::string::npos);
  ready = true;
  CHECK(get(port, "GET /readyz?verbose HTTP/1.1").starts_with("HTTP/1.1 200"));
  std::string metrics = get(port, "GET /metrics HTTP/1.1");
  CHECK(metrics.starts_with("HTTP/1.1 200"));
  CHECK(metrics.find("text/plain; version=0.0.4") != std::string::npos);
  CHECK(metrics.find("\r\n\r\n# TYPE x_total counter\nx_total 3\n") != std::string::npos);
  CHECK(get(port, "GET /nothing HTTP/1.1").starts_with("HTTP/1.1 404"));
  CHECK(get(port, "POST /readyz HTTP/1.1").starts_with("HTTP/1.1 405"));
}

TEST_CASE("a bad listen address is refused with the reason") {
  CHECK_FALSE(ops::ops_server::start("127.0.0.1", {}));
  CHECK_FALSE(ops::ops_server::start("127.0.0.1:99999", {}));
  CHECK_FALSE(ops::ops_server::start("not-an-address:9100", {}));
  auto first = ops::ops_server::start("127.0.0.1:0", {});
  REQUIRE(first);
  auto taken = ops::ops_server::start("127.0.0.1:" + std::to_string((*first)->port()), {});
  REQUIRE_FALSE(taken);
  CHECK(taken.error().find("127.0.0.1:") != std::string::npos);
}
