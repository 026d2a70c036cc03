#include "common/ops/ops_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <optional>
#include <thread>

#include "common/log/log.hpp"

namespace civic::ops {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto request_timeout = std::chrono::seconds(10);
constexpr size_t header_limit = 8 * 1024;

// One connection: requests answered in turn (keep-alive), each within the timeout.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, const endpoints& handlers)
      : stream_(std::move(socket)), handlers_(handlers) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(0);
    stream_.expires_after(request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) return close();
    auto req = parser_->release();
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    response_.emplace(http::status::ok, req.version());
    response_->keep_alive(req.keep_alive());
    auto reply = [&](http::status status, std::string_view type, std::string body) {
      response_->result(status);
      response_->set(http::field::content_type, type);
      response_->set(http::field::cache_control, "no-store");
      response_->body() = std::move(body);
    };
    if (req.method() != http::verb::get) {
      reply(http::status::method_not_allowed, "application/json", R"({"error":"use GET"})");
      response_->set(http::field::allow, "GET");
    } else if (target == "/healthz") {
      reply(http::status::ok, "application/json", R"({"status":"ok"})");
    } else if (target == "/readyz") {
      readiness r = handlers_.ready ? handlers_.ready() : readiness{true, R"({"status":"ready"})"};
      reply(r.ready ? http::status::ok : http::status::service_unavailable, "application/json",
            std::move(r.json));
    } else if (target == "/metrics") {
      reply(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
            handlers_.metrics ? handlers_.metrics() : std::string());
    } else {
      reply(http::status::not_found, "application/json",
            R"({"error":"no such resource; GET /healthz, /readyz or /metrics"})");
    }
    response_->prepare_payload();
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec || !response_->keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  const endpoints& handlers_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
};

}  // namespace

struct ops_server::impl {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  endpoints handlers;
  std::thread thread;

  void accept() {
    acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) std::make_shared<session>(std::move(socket), handlers)->start();
      accept();
    });
  }
};

ops_server::ops_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

expected<std::unique_ptr<ops_server>, std::string> ops_server::start(std::string_view listen,
                                                                     endpoints handlers) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return unexpected("ops listen address must be HOST:PORT, got \"" + std::string(listen) + "\"");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parse_error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return unexpected("ops listen port must be 0 to 65535, got \"" + std::string(listen) + "\"");
  }
  auto state = std::make_unique<impl>();
  state->handlers = std::move(handlers);
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return unexpected("ops listen host \"" + host + "\": " + ec.message());
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return unexpected("ops endpoint " + std::string(listen) + ": " + ec.message());
  state->accept();
  impl* raw = state.get();
  state->thread = std::thread([raw] { raw->io.run(); });
  std::unique_ptr<ops_server> server(new ops_server(std::move(state)));
  log::info("ops.listening", {{"address", host + ":" + std::to_string(server->port())},
                              {"paths", "/healthz /readyz /metrics"}});
  return server;
}

ops_server::~ops_server() {
  net::post(impl_->io, [raw = impl_.get()] {
    beast::error_code ignored;
    raw->acceptor.close(ignored);
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t ops_server::port() const {
  beast::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace civic::ops
