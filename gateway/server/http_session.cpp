#include "gateway/server/http_session.hpp"

#include <memory>
#include <optional>
#include <vector>

#include "common/error/errc.hpp"
#include "common/log/log.hpp"
#include "gateway/server/responses.hpp"
#include "gateway/server/websocket_session.hpp"

namespace civic::gateway::server {
namespace {

constexpr size_t header_limit = 16 * 1024;
constexpr std::string_view webhook_prefix = "/v1/webhooks/";
constexpr std::string_view open311_prefix = "/open311/v2";
constexpr std::string_view retry_after_seconds = "1";

bool has_media_type(std::string_view content_type, std::string_view type) {
  auto semicolon = content_type.find(';');
  std::string_view base = content_type.substr(0, semicolon);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != type.size()) return false;
  for (size_t i = 0; i < base.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(base[i])) != type[i]) return false;
  }
  return true;
}

template <class Stream>
class http_session final : public session,
                           public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream&& stream, beast::flat_buffer buffer, context& ctx)
      : stream_(std::move(stream)), buffer_(std::move(buffer)), ctx_(ctx) {}

  ~http_session() override {
    if (upgraded_)
      ctx_.svc.metrics.connection_upgraded();
    else
      ctx_.svc.metrics.connection_closed(ops::protocol::http, close_reason_);
  }

  void start() {
    ctx_.sessions.add(this->shared_from_this());
    ctx_.svc.metrics.connection_opened(ops::protocol::http);
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
  void read_request() {
    webhook_answered_ = false;
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(ctx_.settings.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(ctx_.settings.http_read_timeout);
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::eof) {
      return close(ops::close_reason::client);
    }
    if (ec == beast::error::timeout) return close(ops::close_reason::idle_timeout);
    if (ec == http::error::body_limit) {
      ctx_.svc.metrics.rejected(errc::too_large);
      return respond_problem(
          413, errc::too_large,
          "the body is larger than " + std::to_string(ctx_.settings.max_body_bytes) + " bytes",
          false, true);
    }
    if (ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return close(shutting_down_ ? ops::close_reason::shutdown : ops::close_reason::client);
    }
    if (ec) {
      return respond_problem(400, errc::malformed_json,
                             "the request is not valid HTTP/1.1: " + ec.message(), false, true);
    }
    request req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();

    if (websocket::is_upgrade(req)) {
      if (req.target() != "/v1/stream") {
        return respond_problem(404, errc::invalid_value, "WebSocket is served at /v1/stream",
                               false);
      }
      ctx_.sessions.remove(this);
      upgraded_ = true;
      beast::get_lowest_layer(stream_).expires_never();
      return run_websocket_session(std::move(stream_), std::move(req), ctx_);
    }
    route(std::move(req));
  }

  void route(request req) {
    std::string_view full_target(req.target().data(), req.target().size());
    std::string_view target = full_target.substr(0, full_target.find('?'));
    const bool get = req.method() == http::verb::get;
    if (target.starts_with(webhook_prefix)) {
      std::string_view rest = target.substr(webhook_prefix.size());
      size_t slash = rest.find('/');
      return webhook(rest.substr(0, slash),
                     slash == std::string_view::npos ? std::string_view() : rest.substr(slash),
                     std::move(req));
    }
    std::string_view method(req.method_string().data(), req.method_string().size());
    if (ctx_.svc.cases && ctx_.svc.cases->serves(method, target)) {
      return cases(std::string(target), std::move(req));
    }
    if (target.starts_with(open311_prefix)) {
      return webhook("open311", target.substr(open311_prefix.size()), std::move(req));
    }
    if (target == "/healthz" && get) {
      return respond(200, "application/json", R"({"status":"ok"})");
    }
    if (target == "/readyz" && get) {
      bool kafka = ctx_.svc.publisher.kafka_ready();
      bool ready = kafka && !ctx_.shutting_down;
      std::string body = std::string(R"({"status":")") + (ready ? "ready" : "not_ready") +
                         R"(","kafka":)" + (kafka ? "true" : "false") + R"(,"shutting_down":)" +
                         (ctx_.shutting_down ? "true" : "false") + "}";
      return respond(ready ? 200 : 503, "application/json", std::move(body));
    }
    if (target == "/metrics" && get) {
      ops::gauges g{static_cast<int64_t>(ctx_.svc.budget.messages()),
                    static_cast<int64_t>(ctx_.svc.budget.used_bytes()),
                    ctx_.svc.publisher.queue_depth(), ctx_.svc.publisher.kafka_ready()};
      return respond(200, "text/plain; version=0.0.4",
                     ctx_.svc.metrics.render(g) + ctx_.svc.channels.render_metrics() +
                         (ctx_.svc.cases ? ctx_.svc.cases->render_metrics() : std::string()));
    }
    if (target == "/v1/messages") {
      if (req.method() != http::verb::post) {
        return respond_problem(405, errc::invalid_value, "use POST", false);
      }
      return ingest(std::move(req));
    }
    if (target == "/v1/stream") {
      return respond_problem(426, errc::invalid_value, "upgrade to WebSocket here", false);
    }
    respond_problem(404, errc::invalid_value, "no such resource", false);
  }

  // A channel's webhook: the dispatcher verifies, extracts and stores; the answer
  // comes back here, or the channel's late answer if it has a deadline.
  void webhook(std::string_view channel, std::string_view rest, request req) {
    if (!ctx_.svc.channels.serves(channel)) {
      return respond_problem(404, errc::invalid_value, "no such channel is enabled", false);
    }
    if (ctx_.shutting_down) {
      return respond_problem(503, errc::shutting_down, "the gateway is shutting down", true);
    }
    webhook_request_ = std::move(req);
    const request& r = *webhook_request_;
    std::string_view target(r.target().data(), r.target().size());
    size_t question = target.find('?');
    beast::error_code ec;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    client_address_ = ec ? std::string() : remote.address().to_string();

    channels::request view;
    view.method = std::string_view(r.method_string().data(), r.method_string().size());
    view.path = rest;
    view.query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    view.header = [&r](std::string_view name) -> std::optional<std::string_view> {
      auto it = r.find(beast::string_view(name.data(), name.size()));
      if (it == r.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    view.content_type = view.header("Content-Type").value_or("");
    view.body = r.body();
    view.client_address = client_address_;
    view.now = std::chrono::system_clock::now();

    uint64_t sequence = ++webhook_sequence_;
    auto late = ctx_.svc.channels.handle(
        channel, view, [self = this->shared_from_this(), sequence](channels::response answer) {
          auto executor = self->stream_.get_executor();
          net::post(executor, [self, sequence, answer = std::move(answer)]() mutable {
            self->answer_webhook(sequence, std::move(answer));
          });
        });
    if (late && sequence == webhook_sequence_ && !webhook_answered_) {
      deadline_.emplace(stream_.get_executor());
      deadline_->expires_after(late->within);
      deadline_->async_wait([self = this->shared_from_this(), sequence,
                             late_answer = late->late_answer](beast::error_code wait_ec) {
        if (!wait_ec) self->answer_webhook(sequence, late_answer());
      });
    }
  }

  // The answer loop's API: its answer comes back here once Kafka has the record.
  void cases(std::string path, request req) {
    if (ctx_.shutting_down) {
      return respond_problem(503, errc::shutting_down, "the gateway is shutting down", true);
    }
    webhook_request_ = std::move(req);
    const request& r = *webhook_request_;
    cases_path_ = std::move(path);
    std::string_view target(r.target().data(), r.target().size());
    size_t question = target.find('?');
    channels::request view;
    view.method = std::string_view(r.method_string().data(), r.method_string().size());
    view.path = cases_path_;
    view.query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    view.header = [&r](std::string_view name) -> std::optional<std::string_view> {
      auto it = r.find(beast::string_view(name.data(), name.size()));
      if (it == r.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    view.content_type = view.header("Content-Type").value_or("");
    view.body = r.body();
    view.now = std::chrono::system_clock::now();
    uint64_t sequence = ++webhook_sequence_;
    ctx_.svc.cases->handle(
        view, [self = this->shared_from_this(), sequence](channels::response answer) {
          auto executor = self->stream_.get_executor();
          net::post(executor, [self, sequence, answer = std::move(answer)]() mutable {
            self->answer_webhook(sequence, std::move(answer));
          });
        });
  }

  // The first answer for a webhook request wins: the stored result or the late one.
  void answer_webhook(uint64_t sequence, channels::response answer) {
    if (sequence != webhook_sequence_ || webhook_answered_) return;
    webhook_answered_ = true;
    if (deadline_) deadline_->cancel();
    webhook_request_.reset();
    respond(answer.status, answer.content_type, std::move(answer.body), answer.retry_later);
  }

  void ingest(request req) {
    std::string_view content_type(req[http::field::content_type].data(),
                                  req[http::field::content_type].size());
    bool single = has_media_type(content_type, "application/json");
    bool batch = has_media_type(content_type, "application/x-ndjson") ||
                 has_media_type(content_type, "application/jsonl");
    if (!single && !batch) {
      ctx_.svc.metrics.rejected(errc::invalid_value);
      return respond_problem(
          415, errc::invalid_value,
          "send application/json (one message) or application/x-ndjson (a batch)", false);
    }
    if (ctx_.shutting_down) {
      return respond_problem(503, errc::shutting_down, "the gateway is shutting down", true);
    }
    if (!ctx_.svc.publisher.kafka_ready()) {
      ctx_.svc.metrics.refused(errc::unavailable);
      return respond_problem(503, errc::unavailable, "Kafka is unreachable; send again later",
                             true);
    }
    body_ = std::move(req.body());
    if (!ctx_.svc.budget.try_acquire(body_.size())) {
      ctx_.svc.metrics.refused(errc::overloaded);
      body_.clear();
      return respond_problem(429, errc::overloaded, "too many messages in flight; send again later",
                             true);
    }
    held_bytes_ = body_.size();
    std::optional<std::string> traceparent;
    if (auto it = req.find("traceparent"); it != req.end()) {
      traceparent = std::string(it->value());
    }
    if (single) return ingest_single(traceparent);
    ingest_batch(traceparent);
  }

  void ingest_single(const std::optional<std::string>& traceparent) {
    ctx_.svc.pipeline.submit(body_, traceparent,
                             [self = this->shared_from_this()](ingest::outcome o) {
                               auto executor = self->stream_.get_executor();
                               net::post(executor, [self = std::move(self), o = std::move(o)] {
                                 self->release_body();
                                 if (o.error) {
                                   self->ctx_.svc.metrics.nack_sent();
                                   self->respond(http_status(o), "application/problem+json",
                                                 problem_body(o), o.retryable);
                                 } else {
                                   self->ctx_.svc.metrics.ack_sent();
                                   self->respond(200, "application/json", stored_body(o));
                                 }
                               });
                             });
  }

  struct batch_state {
    std::vector<size_t> lines;
    std::vector<ingest::outcome> outcomes;
    size_t pending = 0;
  };

  void ingest_batch(const std::optional<std::string>& traceparent) {
    auto state = std::make_shared<batch_state>();
    std::vector<std::string_view> messages;
    std::string_view rest(body_);
    for (size_t line = 1; !rest.empty(); ++line) {
      size_t end = rest.find('\n');
      std::string_view text = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      messages.push_back(text);
      state->lines.push_back(line);
    }
    if (messages.empty() || messages.size() > ctx_.settings.max_batch_messages) {
      release_body();
      ctx_.svc.metrics.rejected(messages.empty() ? errc::too_short : errc::too_large);
      return respond_problem(
          messages.empty() ? 400 : 413, messages.empty() ? errc::too_short : errc::too_large,
          "a batch holds 1 to " + std::to_string(ctx_.settings.max_batch_messages) +
              " messages, one per line",
          false);
    }
    state->outcomes.resize(messages.size());
    state->pending = messages.size();
    for (size_t i = 0; i < messages.size(); ++i) {
      ctx_.svc.pipeline.submit(
          messages[i], traceparent, [self = this->shared_from_this(), state, i](ingest::outcome o) {
            auto executor = self->stream_.get_executor();
            net::post(executor, [self = std::move(self), state, i, o = std::move(o)]() mutable {
              if (o.error)
                self->ctx_.svc.metrics.nack_sent();
              else
                self->ctx_.svc.metrics.ack_sent();
              state->outcomes[i] = std::move(o);
              if (--state->pending > 0) return;
              self->release_body();
              self->respond(200, "application/json", batch_body(state->lines, state->outcomes));
            });
          });
    }
  }

  void release_body() {
    if (held_bytes_) ctx_.svc.budget.release(held_bytes_);
    held_bytes_ = 0;
    body_.clear();
    body_.shrink_to_fit();
  }

  void respond_problem(unsigned status, errc code, std::string detail, bool retryable,
                       bool close_after = false) {
    if (close_after) keep_alive_ = false;
    respond(status, "application/problem+json",
            problem_body(status, code, detail, "", "", retryable), retryable);
  }

  void respond(unsigned status, std::string_view content_type, std::string body,
               bool retry_later = false) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version_);
    res->set(http::field::server, "civic-gateway");
    res->set(http::field::content_type, content_type);
    if (retry_later) res->set(http::field::retry_after, retry_after_seconds);
    res->keep_alive(keep_alive_ && !shutting_down_ && !ctx_.shutting_down);
    res->body() = std::move(body);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(ctx_.settings.http_read_timeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->on_write(ec, res->keep_alive());
                      });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (ec) return close(ops::close_reason::io_error);
    if (!keep_alive) {
      return close(shutting_down_ || ctx_.shutting_down ? ops::close_reason::shutdown
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

  Stream stream_;
  beast::flat_buffer buffer_;
  context& ctx_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string body_;                        // the request body while its messages are in flight
  std::optional<request> webhook_request_;  // what the channel adapter's views point into
  std::string client_address_;
  std::string cases_path_;  // what the answers API's view points into
  std::optional<net::steady_timer> deadline_;
  uint64_t webhook_sequence_ = 0;
  bool webhook_answered_ = false;
  size_t held_bytes_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = true, reading_ = false, shutting_down_ = false, closed_ = false;
  bool upgraded_ = false;
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
