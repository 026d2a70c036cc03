#include <simdjson.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "bench/loadgen/connections.hpp"

namespace civic::bench::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct ws_state {
  connection_args& a;
  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer send_at;
  asio::steady_timer wake;  // cancelled whenever an answer frees room in the window
  ledger sent;
  bool writer_done = false;
  bool failed = false;
};

// Sends on schedule (open loop) or as fast as the window allows (closed loop), then
// waits for the answers still due and closes the WebSocket.
asio::awaitable<void> write_messages(ws_state& s) {
  const plan& p = s.a.p;
  std::string message;
  while (!s.failed) {
    clock::time_point intended;
    if (s.a.open_loop) {
      auto at = s.a.open_loop->next();
      if (!at) break;
      s.send_at.expires_at(*at);
      co_await s.send_at.async_wait(tuple_awaitable);
      intended = *at;
    }
    while (!s.failed && s.sent.outstanding() >= p.window) {
      s.wake.expires_at(clock::time_point::max());
      co_await s.wake.async_wait(tuple_awaitable);
    }
    if (s.failed) break;
    if (!s.a.open_loop) {
      intended = clock::now();
      if (intended >= p.stop_sending) break;
    }
    uint64_t sequence = s.sent.next_sequence();
    s.a.bodies.compose(message, message_id(p.run_id, s.a.index, sequence),
                       sequence + s.a.index * 31);
    s.sent.issue(intended, static_cast<uint32_t>(message.size()));
    ++s.a.t.sent;
    auto [ec, written] = co_await s.ws.async_write(asio::buffer(message), tuple_awaitable);
    if (ec) {
      s.a.t.error("websocket write: " + ec.message());
      s.failed = true;
    }
  }
  s.writer_done = true;
  while (!s.failed && s.sent.outstanding() > 0 && clock::now() < p.drain_deadline) {
    s.wake.expires_at(p.drain_deadline);
    co_await s.wake.async_wait(tuple_awaitable);
  }
  if (s.failed) co_return;
  auto [ec] = co_await s.ws.async_close(websocket::close_code::normal, tuple_awaitable);
  if (ec) beast::get_lowest_layer(s.ws).close();
}

// Books every ack and nack frame until the WebSocket closes.
asio::awaitable<void> read_answers(ws_state& s) {
  beast::flat_buffer frame;
  simdjson::ondemand::parser parser;
  simdjson::padded_string copy;
  for (;;) {
    auto [ec, n] = co_await s.ws.async_read(frame, tuple_awaitable);
    if (ec) {
      // Our own closing handshake ends the read with closed, or aborts it once the
      // socket is torn down; anything unanswered by then is counted as lost.
      bool clean =
          s.writer_done && (ec == websocket::error::closed || ec == asio::error::operation_aborted);
      if (!clean && !s.failed) s.a.t.error("websocket read: " + ec.message());
      if (!clean) s.failed = true;
      s.wake.cancel();
      co_return;
    }
    auto now = clock::now();
    auto data = frame.cdata();
    copy = simdjson::padded_string(static_cast<const char*>(data.data()), data.size());
    frame.consume(frame.size());
    std::string_view type, id, code;
    auto doc = parser.iterate(copy);
    if (doc["type"].get_string().get(type)) {
      s.a.t.error("unreadable answer frame: " +
                  std::string(copy.data(), std::min<size_t>(copy.size(), 200)));
      ++s.a.t.unknown;
      continue;
    }
    if (type == "acks") {  // civic.batch-acks.v1: many acks in one frame
      simdjson::ondemand::array acks;
      if (doc["acks"].get_array().get(acks)) {
        s.a.t.error("unreadable acks frame");
        ++s.a.t.unknown;
        continue;
      }
      for (auto item : acks) {
        if (item["id"].get_string().get(id)) {
          ++s.a.t.unknown;
          continue;
        }
        ledger::entry entry{};
        auto verdict = s.sent.answer(sequence_of(id), entry);
        record_answer(s.a.p, s.a.t, verdict, entry, true, {}, now);
      }
      s.wake.cancel();
      continue;
    }
    if (doc["id"].get_string().get(id)) {
      s.a.t.error("unreadable answer frame: " +
                  std::string(copy.data(), std::min<size_t>(copy.size(), 200)));
      ++s.a.t.unknown;
      continue;
    }
    bool ack = type == "ack";
    if (!ack && doc["code"].get_string().get(code)) code = {};  // booked under "" when absent
    ledger::entry entry{};
    auto verdict = s.sent.answer(sequence_of(id), entry);
    record_answer(s.a.p, s.a.t, verdict, entry, ack, code, now);
    s.wake.cancel();
  }
}

}  // namespace

asio::awaitable<void> run_websocket(connection_args a) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  ws_state s{a,
             websocket::stream<beast::tcp_stream>(executor),
             asio::steady_timer(executor),
             asio::steady_timer(executor),
             {},
             false,
             false};
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(a.where.host, a.where.port, tuple_awaitable);
  if (resolve_error) {
    a.t.error("resolve " + a.where.host + ": " + resolve_error.message());
    co_return;
  }
  auto& socket_layer = beast::get_lowest_layer(s.ws);
  auto [connect_error, endpoint] = co_await socket_layer.async_connect(endpoints, tuple_awaitable);
  if (connect_error) {
    a.t.error("connect: " + connect_error.message());
    co_return;
  }
  socket_layer.socket().set_option(tcp::no_delay(true));
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.handshake_timeout = std::chrono::seconds(10);  // also bounds the closing handshake
  s.ws.set_option(timeouts);
  s.ws.text(true);
  s.ws.set_option(websocket::stream_base::decorator(
      [bearer = "Bearer " + a.credential, protocol = a.subprotocol](websocket::request_type& req) {
        if (bearer.size() > 7) req.set(beast::http::field::authorization, bearer);
        if (!protocol.empty()) req.set(beast::http::field::sec_websocket_protocol, protocol);
      }));
  websocket::response_type handshake_answer;
  auto [handshake_error] = co_await s.ws.async_handshake(
      handshake_answer, a.where.host + ":" + a.where.port, a.where.path, tuple_awaitable);
  if (handshake_error) {
    a.t.error("websocket handshake: " + handshake_error.message());
    co_return;
  }
  if (!a.subprotocol.empty() &&
      handshake_answer[beast::http::field::sec_websocket_protocol] != a.subprotocol) {
    a.t.error("the server did not grant the subprotocol " + a.subprotocol);
    co_return;
  }
  if (!a.open_loop) {  // every connection starts together
    s.send_at.expires_at(a.p.start);
    co_await s.send_at.async_wait(tuple_awaitable);
  }
  co_await (write_messages(s) && read_answers(s));
  a.t.lost += s.sent.outstanding();
}

}  // namespace civic::bench::loadgen
