#include "gateway/subscribe/ws_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/error/errc.hpp"
#include "common/log/log.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/server/context.hpp"
#include "gateway/subscribe/frames.hpp"
#include "gateway/subscribe/service.hpp"

namespace civic::gateway::subscribe {
namespace {

namespace net = server::net;
namespace beast = server::beast;
namespace http = server::http;
namespace websocket = server::websocket;
namespace http_api = civic::gateway::http;

template <class Stream>
class ws_session final : public server::session,
                         public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  ws_session(Stream&& stream, server::context& ctx, service& svc)
      : ws_(std::move(stream)), ctx_(ctx), svc_(svc), deadline_(ws_.get_executor()) {}

  ~ws_session() override { svc_.release(); }

  void start(server::request upgrade, access_decision access) {
    ctx_.sessions.add(this->shared_from_this());
    access_ = std::move(access);
    beast::get_lowest_layer(ws_).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = ctx_.settings.ws_idle_timeout;
    timeouts.keep_alive_pings = true;
    // A client that does not answer our close (asleep, gone) must not hold a
    // shutdown for Beast's suggested 30 s.
    timeouts.handshake_timeout = std::chrono::seconds(5);
    ws_.set_option(timeouts);
    bool offered = access_.offered_subprotocol;
    ws_.set_option(websocket::stream_base::decorator([offered](websocket::response_type& res) {
      res.set(http::field::server, "civic-gateway");
      if (offered) res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    ws_.read_message_max(svc_.settings().session.max_client_frame_bytes * 2);
    // A batch of events (up to subscribe.write_batch_bytes) goes out as one frame in
    // one write: by default Beast cuts a message into 4 KB frames, each a write and
    // a completion of its own, which made a subscriber that fell behind slower still.
    ws_.auto_fragment(false);
    ws_.async_accept(upgrade,
                     beast::bind_front_handler(&ws_session::on_accept, this->shared_from_this()));
  }

  void begin_shutdown() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->core_) {
        self->core_->shutdown();
        self->pump();
      }
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish();
    if (!access_.who) {
      bool expired = access_.code == errc::credential_expired;
      svc_.metrics().refused(access_.code == errc::unauthenticated ? auth_refusal::missing
                             : expired                             ? auth_refusal::expired
                                                                   : auth_refusal::invalid);
      refusal_ = error_frame("", access_.code, access_.detail, "", false) + "\n" +
                 disconnect_frame(expired ? close_code::expired : close_code::unauthenticated,
                                  error_name(access_.code), "", false);
      ws_.text(true);
      ws_.async_write(net::buffer(refusal_), [self = this->shared_from_this(), expired](
                                                 beast::error_code wec, std::size_t) {
        if (wec) return self->finish();
        self->close_socket(expired ? close_code::expired : close_code::unauthenticated,
                           expired ? "credential_expired" : "unauthenticated");
      });
      return;
    }
    core_ = std::make_shared<subscriber>(svc_.context(), std::move(*access_.who), make_waker());
    core_->start();
    if (ctx_.shutting_down) core_->shutdown();
    arm_deadline();
    pump();
    read_next();
  }

  // Wake-ups from the streams: a post to this connection's strand; or, from a
  // task that wakes many connections at once on an I/O thread (see stream.hpp),
  // a dispatch, which runs the pump there and then when the strand is free.
  subscriber_waker make_waker() {
    std::weak_ptr<ws_session> weak = this->shared_from_this();
    auto executor = ws_.get_executor();
    auto pump_it = [weak] {
      if (auto self = weak.lock()) self->pump();
    };
    subscriber_waker w;
    w.post = [executor, pump_it] { net::post(executor, pump_it); };
    // The server gives each connection a strand of its io_context: used as it is,
    // a dispatch skips the type-erased executor's copies.
    using strand = net::strand<net::io_context::executor_type>;
    if (const auto* s = executor.template target<strand>()) {
      w.dispatch = [st = *s, pump_it] { net::dispatch(st, pump_it); };
      w.post_io = [io = s->get_inner_executor()](std::function<void()> task) {
        net::post(io, std::move(task));
      };
    }
    return w;
  }

  void read_next() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&ws_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish();
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    core_->on_frame(frame, std::chrono::system_clock::now());
    arm_deadline();
    pump();
    if (!closing_) read_next();
  }

  void arm_deadline() {
    if (!core_ || stuck_timer_armed_) return;
    auto when = core_->next_deadline();
    if (when == std::chrono::system_clock::time_point::max()) return;
    auto in = when - std::chrono::system_clock::now();
    deadline_.expires_after(
        std::max(std::chrono::duration_cast<std::chrono::steady_clock::duration>(in),
                 std::chrono::steady_clock::duration::zero()));
    deadline_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        self->core_->tick(std::chrono::system_clock::now());
        self->arm_deadline();
        self->pump();
      }
    });
  }

  void pump() {
    if (failed_ || !core_) return;
    if (writing_ && core_->check_slow() && !stuck_timer_armed_) {
      // The write in flight may never finish (a client that stopped reading): its
      // events' positions are in what it did read, so cutting it off loses nothing.
      stuck_timer_armed_ = true;
      deadline_.expires_after(stuck_write_grace);
      deadline_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->finish();
      });
    }
    if (writing_ || closing_) return;
    const auto& out = core_->next();
    if (out.frames.empty()) {
      if (out.close) close_socket(out.close->code, out.close->reason);
      return;
    }
    buffers_.clear();
    for (size_t i = 0; i < out.frames.size(); ++i) {
      if (i > 0) buffers_.emplace_back(newline_, 1);
      buffers_.emplace_back(out.frames[i].data(), out.frames[i].size());
    }
    pending_close_ = out.close;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(buffers_, [self = this->shared_from_this(), events = out.events,
                               bytes = out.event_bytes](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->finish();
      self->svc_.metrics().delivered(events, bytes);
      if (self->pending_close_) {
        auto c = *self->pending_close_;
        return self->close_socket(c.code, c.reason);
      }
      self->pump();
    });
  }

  void close_socket(int code, const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    deadline_.cancel();
    websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
    ws_.async_close(why, [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (failed_) return;
    failed_ = true;
    deadline_.cancel();
    if (core_) {
      if (!closing_) svc_.metrics().disconnected(disconnect_reason::client);
      core_->stop();
    }
    ctx_.sessions.remove(this);
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  websocket::stream<Stream> ws_;
  server::context& ctx_;
  service& svc_;
  net::steady_timer deadline_;
  beast::flat_buffer buffer_;
  access_decision access_;
  std::shared_ptr<subscriber> core_;
  std::vector<net::const_buffer> buffers_;
  std::optional<subscriber::close_instruction> pending_close_;
  std::string refusal_;
  static constexpr char newline_[1] = {'\n'};
  bool writing_ = false, closing_ = false, failed_ = false, stuck_timer_armed_ = false;
  static constexpr std::chrono::seconds stuck_write_grace{5};
};

// Refusals before the upgrade (Origin, too many connections) as problem+json.
template <class Stream>
void refuse(Stream&& stream, const server::request& upgrade, unsigned status, errc code,
            std::string detail) {
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status),
                                                                 upgrade.version());
  res->set(http::field::server, "civic-gateway");
  res->set(http::field::content_type, "application/problem+json");
  if (status == 503) res->set(http::field::retry_after, "5");
  res->keep_alive(false);
  res->body() = http_api::problem(code, detail).body;
  res->prepare_payload();
  auto s = std::make_shared<Stream>(std::move(stream));
  http::async_write(*s, *res, [s, res](beast::error_code, std::size_t) {
    beast::error_code ignored;
    beast::get_lowest_layer(*s).socket().shutdown(server::tcp::socket::shutdown_both, ignored);
  });
}

}  // namespace

template <class Stream>
void run_subscribe_session(Stream&& stream, server::request upgrade, server::context& ctx) {
  service& svc = *ctx.svc.subscribe;
  upgrade_view view;
  view.header = [&upgrade](std::string_view name) -> std::optional<std::string_view> {
    auto it = upgrade.find(beast::string_view(name.data(), name.size()));
    if (it == upgrade.end()) return std::nullopt;
    return std::string_view(it->value().data(), it->value().size());
  };
  view.target = std::string_view(upgrade.target().data(), upgrade.target().size());
  view.tls = std::is_same_v<std::decay_t<Stream>, server::tls_stream>;
  auto access =
      decide_access(view, svc.settings().access, svc.verifier(), std::chrono::system_clock::now());
  if (access.origin_refused) {
    svc.metrics().refused(auth_refusal::origin);
    return refuse(std::move(stream), upgrade, 403, errc::forbidden, access.detail);
  }
  if (!svc.try_admit()) {
    return refuse(std::move(stream), upgrade, 503, errc::overloaded,
                  "too many subscriber connections (subscribe.max_connections); try again later");
  }
  std::make_shared<ws_session<Stream>>(std::move(stream), ctx, svc)
      ->start(std::move(upgrade), std::move(access));
}

template void run_subscribe_session<server::plain_stream>(server::plain_stream&&, server::request,
                                                          server::context&);
template void run_subscribe_session<server::tls_stream>(server::tls_stream&&, server::request,
                                                        server::context&);

}  // namespace civic::gateway::subscribe
