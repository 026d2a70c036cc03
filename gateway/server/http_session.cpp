#include "gateway/server/http_session.hpp"

#include <charconv>
#include <memory>
#include <optional>

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/http/request_target.hpp"
#include "gateway/http/websocket_key.hpp"
#include "gateway/server/websocket_session.hpp"
#include "gateway/subscribe/ws_session.hpp"

namespace civic::gateway::server {
namespace {

// RFC 9112 §3.2: a request with no Host (HTTP/1.1), or more than one, is 400;
// so is a Host value that cannot be a host[:port].
std::optional<std::string> host_fault(const request& req) {
  size_t count = req.count(http::field::host);
  if (count > 1) return "the request has more than one Host header";
  if (count == 0) {
    if (req.version() >= 11) return "an HTTP/1.1 request needs a Host header";
    return std::nullopt;
  }
  std::string_view host = req[http::field::host];
  for (char c : host) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '/' || c == '\\' || c == '?' || c == '#' || c == '@') {
      return "the Host header is not a host name and port";
    }
  }
  // The port, if any: after the last ':' (after the ']' of an IPv6 literal).
  size_t colon = host.rfind(':');
  size_t bracket = host.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    std::string_view port = host.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    bool empty = port.empty();  // RFC 3986 allows "host:"
    if (!empty && (ec != std::errc() || end != port.data() + port.size() || value > 65535 ||
                   port.size() > 5)) {
      return "the Host header's port is not a port number";
    }
  }
  return std::nullopt;
}

// Framing and credentials the gateway would otherwise read one way while a proxy
// in front reads them another (RFC 9112 §6.1, §11.2): a transfer coding other than
// chunked, which the gateway does not decode (it would take the coded bytes as the
// body), and two Authorization or Content-Type headers.
std::optional<std::string> framing_fault(const request& req) {
  auto codings = req.equal_range(http::field::transfer_encoding);
  size_t chunked = 0;
  for (auto it = codings.first; it != codings.second; ++it) {
    for (const auto& coding : http::token_list(it->value())) {
      if (!beast::iequals(coding, "chunked"))
        return "the request has a Transfer-Encoding other than chunked";
      ++chunked;
    }
  }
  // "chunked, chunked": Beast reads no body (chunked is not the one last coding)
  // and would parse the body as the next request; RFC 9112 section 6.1 forbids it.
  if (chunked > 1) return "the request applies chunked more than once (RFC 9112 section 6.1)";
  // Beast takes two equal Content-Length headers (or "N, N") as one; a proxy in
  // front may not, and the README promises bad_request for two.
  if (req.count(http::field::content_length) > 1 ||
      req[http::field::content_length].find(',') != beast::string_view::npos)
    return "the request has more than one Content-Length";
  if (req.count(http::field::sec_websocket_key) > 1)
    return "the request has more than one Sec-WebSocket-Key header (RFC 6455 section 11.3.1)";
  if (req.count(http::field::authorization) > 1)
    return "the request has more than one Authorization header";
  if (req.count(http::field::content_type) > 1)
    return "the request has more than one Content-Type header";
  return std::nullopt;
}

template <class Stream>
class http_session final : public session,
                           public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream&& stream, beast::flat_buffer buffer, context& ctx)
      : stream_(std::move(stream)), buffer_(std::move(buffer)), ctx_(ctx) {}

  ~http_session() override {
    release_body_room();
    if (upgraded_)
      ctx_.svc.metrics.connection_upgraded();
    else
      ctx_.svc.metrics.connection_closed(ops::protocol::http, close_reason_);
  }

  void start() {
    ctx_.sessions.add(this->shared_from_this());
    ctx_.svc.metrics.connection_opened(ops::protocol::http);
    beast::error_code ec;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    client_address_ = ec ? std::string() : remote.address().to_string();
    read_request();
  }

  void begin_shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      // Idle between requests: close now. Busy: the response says close.
      if (self->reading_) self->close(ops::close_reason::shutdown);
    });
  }

 private:
  // Answers for the request being handled; the responder makes sure only the
  // first answer gets here.
  class sink final : public api::answer_sink {
   public:
    explicit sink(std::shared_ptr<http_session> s) : session_(std::move(s)) {}
    void write(api::response r) override {
      auto& s = *session_;
      net::post(s.stream_.get_executor(),
                [self = session_, r = std::move(r)]() mutable { self->respond(std::move(r)); });
    }
    void start_deadline(std::chrono::milliseconds within, std::function<void()> fire) override {
      auto& s = *session_;
      net::post(s.stream_.get_executor(), [self = session_, within, fire = std::move(fire)] {
        if (!self->handling_) return;
        self->deadline_.emplace(self->stream_.get_executor());
        self->deadline_->expires_after(within);
        self->deadline_->async_wait([fire](beast::error_code ec) {
          if (!ec) fire();
        });
      });
    }

   private:
    std::shared_ptr<http_session> session_;
  };

  void read_request() {
    request_.reset();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.settings.max_header_section_bytes));
    parser_->body_limit(ctx_.settings.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(ctx_.settings.http_read_timeout);
    reading_ = true;
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&http_session::on_header, this->shared_from_this()));
  }

  // The one place that decides what a read error means for this connection.
  bool read_failed(beast::error_code ec) {
    if (!ec) return false;
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::eof) {
      close(ops::close_reason::client);
    } else if (ec == beast::error::timeout) {
      close(ops::close_reason::idle_timeout);
    } else if (ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      close(shutting_down_ ? ops::close_reason::shutdown : ops::close_reason::client);
    } else if (ec == http::error::header_limit) {
      refuse(errc::header_too_large, "the request headers are larger than " +
                                         std::to_string(ctx_.settings.max_header_section_bytes) +
                                         " bytes");
    } else if (ec == http::error::body_limit) {
      refuse(errc::too_large,
             "the body is larger than " + std::to_string(ctx_.settings.max_body_bytes) + " bytes");
    } else {
      refuse(errc::bad_request, "the request is not valid HTTP/1.1: " + ec.message());
    }
    return true;
  }

  // A request that cannot be routed: answered, and the connection closed after.
  void refuse(errc why, std::string detail,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    ctx_.svc.metrics.request_refused(why);
    api::response r = api::problem(why, detail);
    for (auto& h : headers) r.headers.push_back(std::move(h));
    r.close = true;
    handling_ = true;
    respond(std::move(r));
  }

  std::optional<std::string> header_fault(const request& req) const {
    size_t count = 0;
    for (const auto& field : req) {
      if (++count > ctx_.settings.max_headers) {
        return "more than " + std::to_string(ctx_.settings.max_headers) + " request headers";
      }
      if (field.name_string().size() + field.value().size() > ctx_.settings.max_header_bytes) {
        return "a request header is larger than " + std::to_string(ctx_.settings.max_header_bytes) +
               " bytes";
      }
    }
    return std::nullopt;
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (read_failed(ec)) return;
    const request& head = parser_->get();
    if (auto fault = header_fault(head)) {
      reading_ = false;
      return refuse(errc::header_too_large, std::move(*fault));
    }
    if (auto fault = host_fault(head)) {
      reading_ = false;
      return refuse(errc::bad_request, std::move(*fault));
    }
    if (auto fault = framing_fault(head)) {
      reading_ = false;
      return refuse(errc::bad_request, std::move(*fault));
    }
    auto key = head[http::field::sec_websocket_key];
    if (websocket::is_upgrade(head) &&
        !gateway::http::is_valid_websocket_key(std::string_view(key.data(), key.size()))) {
      reading_ = false;
      return refuse(errc::bad_request,
                    "Sec-WebSocket-Key must be the base64 of 16 bytes (RFC 6455 section 4.2.1)");
    }
    if (websocket::is_upgrade(head) && head[http::field::sec_websocket_version] != "13") {
      // Answered here rather than by Beast's accept, whose 426 is plain text.
      reading_ = false;
      return refuse(errc::upgrade_required,
                    "Sec-WebSocket-Version must be 13 (RFC 6455 section 4.4)",
                    {{"Sec-WebSocket-Version", "13"}});
    }
    if (parser_->is_done()) return on_read({}, 0);
    auto length = parser_->content_length();
    if (!cover_body(length ? std::min(static_cast<size_t>(*length), body_room_step)
                           : body_room_step))
      return refuse_for_room();
    if (head.version() >= 11 && beast::iequals(head[http::field::expect], "100-continue")) {
      // The client waits for this before its body (curl a second, others longer);
      // nothing else is being written on the connection while a request is read.
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                      head.version());
      return http::async_write(
          stream_, *go_on,
          [self = this->shared_from_this(), go_on](beast::error_code written, std::size_t) {
            if (written) return self->close(ops::close_reason::io_error);
            self->read_body_part();
          });
    }
    read_body_part();
  }

  void read_body_part() {
    http::async_read_some(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&http_session::on_body_part, this->shared_from_this()));
  }

  void on_body_part(beast::error_code ec, std::size_t) {
    if (ec || parser_->is_done()) return on_read(ec, 0);
    if (!cover_body(parser_->get().body().size() + buffer_.size())) return refuse_for_room();
    read_body_part();
  }

  // A body holds room in the in-flight budget for the bytes it has brought, taken
  // as they arrive (body_room_step at first, then doubling), never for what its
  // headers announce: an unauthenticated client that declares 4 MiB, or sends
  // chunks, and then nothing, holds 64 KiB until the read timeout, not
  // gateway.max_body_bytes (64 such connections filled the whole budget).
  static constexpr size_t body_room_step = 64 * 1024;
  bool cover_body(size_t held) {
    auto* budget = ctx_.svc.body_budget;
    if (!budget || held <= body_room_) return true;
    size_t most = ctx_.settings.max_body_bytes;  // a known length needs no more than itself
    if (auto length = parser_->content_length())
      most = std::min(most, static_cast<size_t>(*length));
    const size_t want =
        std::min(std::max({held, 2 * body_room_, body_room_step}), std::max(held, most));
    const bool taken =
        body_room_ == 0 ? budget->try_acquire(want) : budget->try_acquire_more(want - body_room_);
    if (taken) body_room_ = want;
    return taken;
  }
  void refuse_for_room() {  // counted as the pipeline counts a full budget
    release_body_room();
    reading_ = false;
    ctx_.svc.metrics.refused(errc::overloaded);
    api::response r = api::problem(errc::overloaded, "the gateway has no room for this body now");
    r.close = true;  // the body is still on the connection
    handling_ = true;
    respond(std::move(r));
  }
  void release_body_room() {
    if (body_room_ == 0) return;
    ctx_.svc.body_budget->release(body_room_);
    body_room_ = 0;
  }

  void on_read(beast::error_code ec, std::size_t) {
    release_body_room();
    if (read_failed(ec)) return;
    reading_ = false;
    request_.emplace(parser_->release());
    keep_alive_ = request_->keep_alive();
    version_ = request_->version();
    head_ = request_->method() == http::verb::head;
    route();
  }

  api::request view(api::route_params params) const {
    const request& r = *request_;
    std::string_view target =
        gateway::http::origin_form(std::string_view(r.target().data(), r.target().size()));
    size_t question = target.find('?');
    api::request v;
    v.method = std::string_view(r.method_string().data(), r.method_string().size());
    v.path = target.substr(0, question);
    v.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    v.body = r.body();
    v.client_address = client_address_;
    v.received = std::chrono::system_clock::now();
    v.header = [&r](std::string_view name) -> std::optional<std::string_view> {
      auto it = r.find(beast::string_view(name.data(), name.size()));
      if (it == r.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    v.params = std::move(params);
    return v;
  }

  void route() {
    const request& r = *request_;
    std::string_view target =
        gateway::http::origin_form(std::string_view(r.target().data(), r.target().size()));
    std::string_view path = target.substr(0, target.find('?'));
    std::string_view method(r.method_string().data(), r.method_string().size());
    bool upgrade = websocket::is_upgrade(r);
    if (upgrade && path == "/v1/subscribe" && ctx_.svc.subscribe) {
      ctx_.sessions.remove(this);
      upgraded_ = true;
      beast::get_lowest_layer(stream_).expires_never();
      return subscribe::run_subscribe_session(std::move(stream_), std::move(*request_), ctx_);
    }
    auto match = ctx_.svc.routes.find(method, path, upgrade);
    handling_ = true;
    if (match.refusal) return respond(std::move(*match.refusal));
    api::request req = view(std::move(match.params));
    if (match.websocket) {
      auto handler = (*match.websocket)(req);
      if (!handler) return respond(std::move(handler).error());
      ctx_.sessions.remove(this);
      upgraded_ = true;
      beast::get_lowest_layer(stream_).expires_never();
      return run_websocket_session(std::move(stream_), std::move(*request_), std::move(*handler),
                                   ctx_);
    }
    (*match.http)(req, api::responder(std::make_shared<sink>(this->shared_from_this())));
  }

  void respond(api::response answer) {
    if (!handling_ || closed_) return;
    handling_ = false;
    if (deadline_) deadline_->cancel();
    if (answer.close) keep_alive_ = false;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(answer.status), version_);
    res->set(http::field::server, "civic-gateway");
    res->set(http::field::content_type, answer.content_type);
    for (auto& [name, value] : answer.headers) res->set(name, value);
    if (answer.retry_after)
      res->set(http::field::retry_after, std::to_string(answer.retry_after->count()));
    res->keep_alive(keep_alive_ && !shutting_down_ && !ctx_.shutting_down);
    res->body() = std::move(answer.body);
    res->prepare_payload();
    if (head_) {  // the length a GET would have, and no body
      const auto length = res->body().size();
      res->body().clear();
      res->content_length(length);
    }
    request_.reset();
    beast::get_lowest_layer(stream_).expires_after(ctx_.settings.http_read_timeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->on_write(ec, res->keep_alive());
                      });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (ec) return close(ops::close_reason::io_error);
    if (!keep_alive) {
      return close_after_response(shutting_down_ || ctx_.shutting_down ? ops::close_reason::shutdown
                                                                       : ops::close_reason::client);
    }
    read_request();
  }

  void close(ops::close_reason why) {
    if (closed_) return;
    closed_ = true;
    close_reason_ = why;
    ctx_.sessions.remove(this);
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  // The last response is written: stop sending, then read and drop what the client
  // is still sending for a moment before closing (RFC 9112 §9.6). Closing with
  // unread bytes makes the kernel answer with a reset, and a client still writing
  // a refused body (413, 503) would see the reset instead of the response.
  void close_after_response(ops::close_reason why) {
    if (closed_) return;
    if (ctx_.settings.lingering_close_timeout.count() == 0) return close(why);
    closed_ = true;
    close_reason_ = why;
    ctx_.sessions.remove(this);
    auto& tcp = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp.expires_after(ctx_.settings.lingering_close_timeout);
    // What was read ahead of the refused request is dropped with the rest.
    lingered_ = buffer_.size();
    buffer_.clear();
    drain_then_close();
  }

  // Reads into the buffer's free space and never commits it: the bytes are dropped.
  void drain_then_close() {
    const std::size_t limit = ctx_.settings.lingering_close_bytes;
    if (lingered_ >= limit) return finish_lingering(true);
    beast::get_lowest_layer(stream_).async_read_some(
        buffer_.prepare(std::min<std::size_t>(16 * 1024, limit - lingered_)),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->lingered_ += n;
          if (ec) return self->finish_lingering(ec == beast::error::timeout);
          self->drain_then_close();
        });
  }

  void finish_lingering(bool cut_short) {
    ctx_.svc.metrics.lingering_discarded(lingered_);
    if (cut_short) ctx_.svc.metrics.lingering_cut_short();
    beast::error_code ignored;
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp.close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  context& ctx_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<request> request_;  // what the handler's views point into, until answered
  std::optional<net::steady_timer> deadline_;
  std::string client_address_;
  size_t body_room_ = 0;  // bytes of the in-flight budget held while the body is read
  size_t lingered_ = 0;   // bytes dropped in the lingering close
  unsigned version_ = 11;
  bool head_ = false;  // the request being answered is a HEAD
  bool keep_alive_ = true, reading_ = false, handling_ = false, shutting_down_ = false;
  bool closed_ = false, upgraded_ = false;
  ops::close_reason close_reason_ = ops::close_reason::client;
};

}  // namespace

template <class Stream>
void run_http_session(Stream&& stream, beast::flat_buffer buffer, context& ctx) {
  std::make_shared<http_session<Stream>>(std::move(stream), std::move(buffer), ctx)->start();
}

template void run_http_session<plain_stream>(plain_stream&&, beast::flat_buffer, context&);
template void run_http_session<tls_stream>(tls_stream&&, beast::flat_buffer, context&);

}  // namespace civic::gateway::server
