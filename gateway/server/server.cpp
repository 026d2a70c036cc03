#include "gateway/server/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <thread>
#include <vector>

#include "common/log/log.hpp"
#include "gateway/server/beast.hpp"
#include "gateway/server/context.hpp"
#include "gateway/server/http_session.hpp"

namespace civic::gateway::server {
namespace {

expected<tcp::endpoint, std::string> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return unexpected("gateway.listen must be host:port, not " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  auto address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return unexpected("gateway.listen: '" + host + "' is not an IP address");
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) return unexpected("gateway.listen: bad port in " + listen);
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

// Accepts connections; with TLS configured, each one starts with a handshake.
class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& io, context& ctx, std::optional<net::ssl::context>& tls)
      : io_(io),
        acceptor_(net::make_strand(io)),
        retry_(acceptor_.get_executor()),
        ctx_(ctx),
        tls_(tls) {}

  std::string open(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    return ec ? "cannot listen on " + endpoint.address().to_string() + ":" +
                    std::to_string(endpoint.port()) + ": " + ec.message()
              : std::string();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void start() { accept_next(); }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
  }

 private:
  void accept_next() {
    acceptor_.async_accept(net::make_strand(io_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return pause_accepting(ec);
    if (failed_accepts_ > 0) {
      log::info("listener.accept_resumed", {{"failed_accepts", failed_accepts_}});
      failed_accepts_ = 0;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls_)
      start_tls(std::move(socket));
    else
      run_http_session(plain_stream(std::move(socket)), beast::flat_buffer(), ctx_);
    accept_next();
  }

  // Out of file descriptors (EMFILE) or memory, an accept tried again at once
  // fails again at once: a busy loop that floods the log and starves the
  // connections being served. Wait a little, then try again; one line per run
  // of failures.
  void pause_accepting(beast::error_code ec) {
    if (failed_accepts_++ == 0) log::warn("listener.accept_failed", {{"detail", ec.message()}});
    retry_.expires_after(accept_retry);
    retry_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (e || !self->acceptor_.is_open()) return;
      self->accept_next();
    });
  }

  void start_tls(tcp::socket socket) {
    auto stream = std::make_shared<tls_stream>(std::move(socket), *tls_);
    beast::get_lowest_layer(*stream).expires_after(ctx_.settings.http_read_timeout);
    stream->async_handshake(net::ssl::stream_base::server,
                            [stream, &ctx = ctx_](beast::error_code ec) {
                              if (ec) {
                                log::info("tls.handshake_failed", {{"detail", ec.message()}});
                                return;
                              }
                              run_http_session(std::move(*stream), beast::flat_buffer(), ctx);
                            });
  }

  static constexpr std::chrono::milliseconds accept_retry{100};

  net::io_context& io_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;  // the next accept after a failed one
  int64_t failed_accepts_ = 0;
  context& ctx_;
  std::optional<net::ssl::context>& tls_;
};

}  // namespace

struct server::impl {
  impl(const server_settings& settings, services s)
      : io(settings.threads),
        keep_running(net::make_work_guard(io)),
        ctx{settings, s, {}, {}},
        signals(io, SIGINT, SIGTERM) {}

  net::io_context io;
  // Keeps run() going while shutdown drains, even when no operation is pending.
  net::executor_work_guard<net::io_context::executor_type> keep_running;
  context ctx;
  std::optional<net::ssl::context> tls;
  std::shared_ptr<listener> accept;
  net::signal_set signals;
  std::thread coordinator;
  std::once_flag shutdown_once;

  void begin_shutdown() {
    std::call_once(shutdown_once, [this] {
      log::info("gateway.shutdown_started",
                {{"connections", ctx.sessions.size()}, {"in_flight", ctx.svc.in_flight()}});
      ctx.shutting_down = true;
      ctx.svc.begin_shutdown();
      accept->stop();
      ctx.sessions.shutdown_all();
      coordinator = std::thread([this] { finish_shutdown(); });
    });
  }

  // Off the I/O threads: waits for connections to drain, then makes sure every
  // message still in Kafka's hands is answered before the threads stop.
  void finish_shutdown() {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + ctx.settings.shutdown_timeout;
    auto drained = [&] { return ctx.sessions.size() == 0 && ctx.svc.in_flight() == 0; };
    while (!drained() && clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto left =
        std::max(std::chrono::milliseconds(100),
                 std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
    // Flushes what Kafka still has; anything it cannot store in time is failed,
    // so those senders get a retryable nack rather than silence.
    ctx.svc.flush(left);
    auto grace = clock::now() + std::chrono::seconds(2);
    while (ctx.sessions.size() > 0 && clock::now() < grace) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    log::info("gateway.shutdown_finished", {{"connections_left", ctx.sessions.size()}});
    keep_running.reset();
    io.stop();
  }
};

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

server::~server() {
  if (impl_->coordinator.joinable()) impl_->coordinator.join();
}

expected<std::unique_ptr<server>, std::string> server::create(const server_settings& settings,
                                                              services s) {
  auto p = std::make_unique<impl>(settings, s);
  auto endpoint = parse_listen(settings.listen);
  if (!endpoint) return unexpected(std::move(endpoint).error());

  if (!settings.tls_certificate_file.empty() || !settings.tls_private_key_file.empty()) {
    if (settings.tls_certificate_file.empty() || settings.tls_private_key_file.empty()) {
      return unexpected(std::string(
          "TLS needs both gateway.tls.certificate_file and gateway.tls.private_key_file"));
    }
    p->tls.emplace(net::ssl::context::tls_server);
    p->tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                        net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                        net::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    p->tls->use_certificate_chain_file(settings.tls_certificate_file, ec);
    if (ec)
      return unexpected("TLS certificate " + settings.tls_certificate_file + ": " + ec.message());
    p->tls->use_private_key_file(settings.tls_private_key_file, net::ssl::context::pem, ec);
    if (ec)
      return unexpected("TLS private key " + settings.tls_private_key_file + ": " + ec.message());
  }

  p->accept = std::make_shared<listener>(p->io, p->ctx, p->tls);
  if (auto error = p->accept->open(*endpoint); !error.empty()) return unexpected(error);
  return std::unique_ptr<server>(new server(std::move(p)));
}

uint16_t server::port() const { return impl_->accept->port(); }

void server::run() {
  impl_->signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    log::info("gateway.signal", {{"signal", signal}});
    impl_->begin_shutdown();
  });
  impl_->accept->start();
  log::info("gateway.listening", {{"port", port()},
                                  {"threads", impl_->ctx.settings.threads},
                                  {"tls", impl_->tls.has_value()}});
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->ctx.settings.threads; ++i) {
    threads.emplace_back([this] { impl_->io.run(); });
  }
  impl_->io.run();
  for (auto& t : threads) t.join();
  if (impl_->coordinator.joinable()) impl_->coordinator.join();
}

void server::shutdown() {
  net::post(impl_->io, [this] { impl_->begin_shutdown(); });
}

}  // namespace civic::gateway::server
