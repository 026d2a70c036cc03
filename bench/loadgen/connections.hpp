#pragma once
// One load-generator connection: a WebSocket sending frames with a window of
// unanswered messages, or an HTTP/1.1 keep-alive connection posting one message at
// a time (or an NDJSON batch). Both run until the plan's stop time, wait for the answers still due,
// and book every answer in the run's tally.

#include <boost/asio/awaitable.hpp>
#include <string>

#include "bench/loadgen/run.hpp"
#include "bench/support/message_bodies.hpp"

namespace civic::bench::loadgen {

struct target {
  std::string host;
  std::string port;
  std::string path;
  bool websocket = false;
};

// How an HTTP answer says "stored": the gateway's JSON ({"status":"stored"}), or
// any 2xx status (a peer such as an HTTP-to-Kafka bridge).
enum class http_answers { gateway, status_only };

struct connection_args {
  const target& where;
  const message_bodies& bodies;
  const plan& p;
  schedule* open_loop;  // null: closed loop
  tally& t;
  size_t index;
  http_answers answers = http_answers::gateway;
  std::string content_type = "application/json";
  size_t batch = 1;         // HTTP: messages per request; above 1, an application/x-ndjson body
  std::string credential;   // sent as Authorization: Bearer <credential> when not empty
  std::string subprotocol;  // WebSocket: offered as Sec-WebSocket-Protocol when not empty
};

boost::asio::awaitable<void> run_websocket(connection_args a);
boost::asio::awaitable<void> run_http(connection_args a);

}  // namespace civic::bench::loadgen
