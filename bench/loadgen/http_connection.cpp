#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <simdjson.h>

#include "bench/loadgen/connections.hpp"

namespace civic::bench::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct verdict_of_answer {
  bool stored = false;
  std::string code;      // why not, for the tally
  std::string_view id;   // the message the gateway's answer names, when it names one
};

// The gateway answers 200 {"id","status":"stored",...} or problem+json with "code";
// a peer is judged by its status alone.
verdict_of_answer read_answer(const http::response<http::string_body>& res, http_answers answers,
                              simdjson::ondemand::parser& parser, simdjson::padded_string& copy) {
  verdict_of_answer v;
  bool ok_status = res.result_int() >= 200 && res.result_int() < 300;
  if (answers == http_answers::status_only) {
    v.stored = ok_status;
    if (!ok_status) v.code = "http_" + std::to_string(res.result_int());
    return v;
  }
  copy = simdjson::padded_string(res.body());
  auto doc = parser.iterate(copy);
  std::string_view status, code;
  if (ok_status) {
    if (!doc["id"].get_string().get(v.id) && !doc["status"].get_string().get(status) && status == "stored") {
      v.stored = true;
      return v;
    }
    v.code = "unexpected_answer";
    return v;
  }
  if (doc["code"].get_string().get(code)) code = "";
  v.code = "http_" + std::to_string(res.result_int()) + (code.empty() ? "" : ":") + std::string(code);
  return v;
}

}  // namespace

asio::awaitable<void> run_http(connection_args a) {
  auto executor = co_await asio::this_coro::executor;
  const plan& p = a.p;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  asio::steady_timer send_at(executor);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(a.where.host, a.where.port, tuple_awaitable);
  if (resolve_error) {
    a.t.error("resolve " + a.where.host + ": " + resolve_error.message());
    co_return;
  }
  auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, tuple_awaitable);
  if (connect_error) {
    a.t.error("connect: " + connect_error.message());
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  if (!a.open_loop) {
    send_at.expires_at(p.start);
    co_await send_at.async_wait(tuple_awaitable);
  }

  http::request<http::string_body> req{http::verb::post, a.where.path, 11};
  req.set(http::field::host, a.where.host + ":" + a.where.port);
  req.set(http::field::content_type, a.content_type);
  req.keep_alive(true);
  ledger sent;
  beast::flat_buffer buffer;
  simdjson::ondemand::parser parser;
  simdjson::padded_string copy;
  for (;;) {
    clock::time_point intended;
    if (a.open_loop) {
      auto at = a.open_loop->next();
      if (!at) break;
      send_at.expires_at(*at);
      co_await send_at.async_wait(tuple_awaitable);
      intended = *at;
    } else {
      intended = clock::now();
      if (intended >= p.stop_sending) break;
    }
    uint64_t sequence = sent.next_sequence();
    a.bodies.compose(req.body(), message_id(p.run_id, a.index, sequence), sequence + a.index * 31);
    sent.issue(intended, static_cast<uint32_t>(req.body().size()));
    req.prepare_payload();
    ++a.t.sent;
    // A request must be answered within the drain time, or its message counts as lost.
    stream.expires_at(std::max(p.drain_deadline, clock::now() + std::chrono::seconds(1)));
    auto [write_error, written] = co_await http::async_write(stream, req, tuple_awaitable);
    if (write_error) {
      a.t.error("http write: " + write_error.message());
      break;
    }
    http::response<http::string_body> res;
    auto [read_error, read] = co_await http::async_read(stream, buffer, res, tuple_awaitable);
    if (read_error) {
      a.t.error("http read: " + read_error.message());
      break;
    }
    auto now = clock::now();
    auto answer = read_answer(res, a.answers, parser, copy);
    // The gateway names the message it answers; a peer answers the one request in flight.
    int64_t answered = answer.id.empty() ? static_cast<int64_t>(sequence) : sequence_of(answer.id);
    ledger::entry entry{};
    auto verdict = sent.answer(answered, entry);
    record_answer(p, a.t, verdict, entry, answer.stored, answer.code, now);
    if (!res.keep_alive()) {
      a.t.error("server closed the keep-alive connection");
      break;
    }
  }
  a.t.lost += sent.outstanding();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace civic::bench::loadgen
