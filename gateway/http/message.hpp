#pragma once
// An HTTP request and its answer as every handler sees them: plain views and
// values, no Beast. The server (gateway/server/) fills a request from the wire
// and writes the response back.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civic::gateway::http {

// A header's value by name (any case); nullopt when absent.
using header_lookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// What the matched route pattern captured: {name} segments and the "*" rest.
class route_params {
 public:
  // The value of {name}; empty when the pattern has no such segment.
  std::string_view get(std::string_view name) const {
    for (const auto& [n, v] : named_)
      if (n == name) return v;
    return {};
  }
  // What "*" matched, with its leading '/' ("/services.json"), or "" for nothing.
  std::string_view rest() const { return rest_; }

  void add(std::string_view name, std::string_view value) { named_.emplace_back(name, value); }
  void set_rest(std::string_view rest) { rest_ = rest; }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> named_;
  std::string_view rest_;
};

// Views into the request the server read; valid until the request is answered.
struct request {
  std::string_view method;  // "GET", "POST", ... as sent
  std::string_view path;    // the target without its query, as sent
  std::string_view query;   // after '?', raw
  std::string_view body;
  std::string_view client_address;  // the peer's IP address
  std::chrono::system_clock::time_point received;
  header_lookup header;
  route_params params;
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Further headers (Allow, WWW-Authenticate, ...); Content-Type, Content-Length,
  // Server and Connection are the server's.
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::chrono::seconds> retry_after;
  bool close = false;  // close the connection once this answer is written
};

// How the server takes a handler's answer. Implemented by the server; handlers
// use responder.
class answer_sink {
 public:
  virtual ~answer_sink() = default;
  virtual void write(response r) = 0;
  // Calls `fire` once after `within` unless the request was answered first.
  virtual void start_deadline(std::chrono::milliseconds within, std::function<void()> fire) = 0;
};

// Answers one request. Copyable; the first answer wins and every later one is
// ignored, so a handler may race a late answer against the real one. Callable
// from any thread (the server moves the write to the connection's strand).
class responder {
 public:
  explicit responder(std::shared_ptr<answer_sink> sink)
      : state_(std::make_shared<state>(std::move(sink))) {}

  void operator()(response r) const {
    if (state_->answered.exchange(true)) return;
    state_->sink->write(std::move(r));
  }

  // If no answer came within `within`, `fallback()` answers instead (a channel
  // with a deadline of its own, KakaoTalk's 5 s).
  // The deadline holds the answer weakly: whoever may still answer keeps it alive.
  void answer_within(std::chrono::milliseconds within, std::function<response()> fallback) const {
    state_->sink->start_deadline(
        within, [weak = std::weak_ptr<state>(state_), fallback = std::move(fallback)] {
          auto s = weak.lock();
          if (!s || s->answered.exchange(true)) return;
          s->sink->write(fallback());
        });
  }

  bool answered() const { return state_->answered.load(); }

 private:
  struct state {
    explicit state(std::shared_ptr<answer_sink> s) : sink(std::move(s)) {}
    std::shared_ptr<answer_sink> sink;
    std::atomic<bool> answered{false};
  };
  std::shared_ptr<state> state_;
};

using handler = std::function<void(const request&, responder)>;

}  // namespace civic::gateway::http
