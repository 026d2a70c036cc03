#include <simdjson.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/loadgen/connections.hpp"

namespace civic::bench::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct answer_item {
  int64_t sequence = -1;  // the message answered
  bool stored = false;
  std::string code;  // why not, for the tally
};

// One answer per message the request carried. The gateway answers one message with
// 200 {"id","status":"stored",...} or problem+json with "code", a batch with
// {"results":[{"id","status","code"?},...]}; a peer is judged by its status alone.
void read_answers(const http::response<http::string_body>& res, http_answers answers, bool batch,
                  const std::vector<uint64_t>& sequences, simdjson::ondemand::parser& parser,
                  simdjson::padded_string& copy, std::vector<answer_item>& out) {
  out.clear();
  bool ok_status = res.result_int() >= 200 && res.result_int() < 300;
  auto all = [&](bool stored, std::string code) {
    for (auto s : sequences) out.push_back({static_cast<int64_t>(s), stored, code});
  };
  if (answers == http_answers::status_only)
    return all(ok_status, ok_status ? "" : "http_" + std::to_string(res.result_int()));
  copy = simdjson::padded_string(res.body());
  auto doc = parser.iterate(copy);
  std::string_view id, status, code;
  if (!ok_status) {
    if (doc["code"].get_string().get(code)) code = "";
    return all(false, "http_" + std::to_string(res.result_int()) + (code.empty() ? "" : ":") +
                          std::string(code));
  }
  if (!batch) {
    if (doc["id"].get_string().get(id) || doc["status"].get_string().get(status) ||
        status != "stored") {
      return all(false, "unexpected_answer");
    }
    out.push_back({sequence_of(id), true, ""});
    return;
  }
  simdjson::ondemand::array results;
  if (doc["results"].get_array().get(results)) return all(false, "unexpected_answer");
  for (auto result : results) {
    simdjson::ondemand::object line;
    if (result.get_object().get(line) || line["id"].get_string().get(id) ||
        line["status"].get_string().get(status)) {
      out.push_back({-1, false, "unexpected_answer"});
      continue;
    }
    bool stored = status == "stored";
    if (!stored && line["code"].get_string().get(code)) code = "";
    out.push_back({sequence_of(id), stored, stored ? "" : std::string(code)});
  }
}

}  // namespace

asio::awaitable<void> run_http(connection_args a) {
  auto executor = co_await asio::this_coro::executor;
  const plan& p = a.p;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  asio::steady_timer send_at(executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(a.where.host, a.where.port, tuple_awaitable);
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

  const bool batch = a.batch > 1;
  http::request<http::string_body> req{http::verb::post, a.where.path, 11};
  req.set(http::field::host, a.where.host + ":" + a.where.port);
  req.set(http::field::content_type, batch ? "application/x-ndjson" : a.content_type);
  if (!a.credential.empty()) req.set(http::field::authorization, "Bearer " + a.credential);
  req.keep_alive(true);
  ledger sent;
  beast::flat_buffer buffer;
  simdjson::ondemand::parser parser;
  simdjson::padded_string copy;
  std::string message;
  std::vector<uint64_t> sequences;
  std::vector<answer_item> answers;
  bool sending = true;
  while (sending) {
    // Gather one request's messages: each open-loop message keeps its own intended time,
    // and the request leaves when its last message is due.
    req.body().clear();
    sequences.clear();
    while (sequences.size() < a.batch) {
      clock::time_point intended;
      if (a.open_loop) {
        auto at = a.open_loop->next();
        if (!at) {
          sending = false;
          break;
        }
        intended = *at;
      } else {
        intended = clock::now();
        if (intended >= p.stop_sending) {
          sending = false;
          break;
        }
      }
      uint64_t sequence = sent.next_sequence();
      a.bodies.compose(message, message_id(p.run_id, a.index, sequence), sequence + a.index * 31);
      sent.issue(intended, static_cast<uint32_t>(message.size()));
      sequences.push_back(sequence);
      req.body().append(message);
      if (batch) req.body().push_back('\n');
      if (a.open_loop) {
        send_at.expires_at(intended);
        co_await send_at.async_wait(tuple_awaitable);
      }
    }
    if (sequences.empty()) break;
    req.prepare_payload();
    a.t.sent += sequences.size();
    // A request must be answered within the drain time, or its messages count as lost.
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
    read_answers(res, a.answers, batch, sequences, parser, copy, answers);
    for (const auto& answer : answers) {
      ledger::entry entry{};
      auto verdict = sent.answer(answer.sequence, entry);
      record_answer(p, a.t, verdict, entry, answer.stored, answer.code, now);
    }
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
