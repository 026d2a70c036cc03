// The load generator: N WebSocket or HTTP connections against the gateway (or an
// HTTP peer), closed loop (as fast as the window allows) or open loop (a fixed rate,
// latency from each message's intended send time). Prints one JSON object of figures
// on stdout; exits 1 when a message was lost, answered twice or answered unasked.

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <random>

#include "bench/loadgen/connections.hpp"
#include "bench/support/figures_json.hpp"
#include "bench/support/process_cpu.hpp"
#include "common/config/config.hpp"
#include "common/config/program.hpp"

using namespace civic;
using namespace civic::bench;
using namespace civic::bench::loadgen;

namespace {

constexpr config::option loadgen_options[] = {
    {"loadgen.url", "ws://127.0.0.1:8080/v1/stream",
     "Where to send: ws://HOST:PORT/PATH (WebSocket frames) or http://HOST:PORT/PATH (one POST per "
     "message)."},
    {"loadgen.bodies", "",
     "Message bodies, one inbound message without id a line (bench/data/bodies writes them). "
     "Required."},
    {"loadgen.connections", "16", "Connections opened at once.", config::value_type::integer, 1,
     10000},
    {"loadgen.window", "64", "Messages one WebSocket may have unanswered (HTTP: always 1).",
     config::value_type::integer, 1, 100000},
    {"loadgen.rate", "0",
     "Messages a second over all connections; 0 sends as fast as answers allow (closed loop).",
     config::value_type::integer, 0, 10000000},
    {"loadgen.duration_ms", "10000", "How long to send, warm-up included.",
     config::value_type::integer, 100, 3600000},
    {"loadgen.warmup_ms", "2000", "Leading part of the run left out of the figures.",
     config::value_type::integer, 0, 3600000},
    {"loadgen.drain_ms", "30000",
     "After sending stops, how long answers may take before a message counts as lost.",
     config::value_type::integer, 100, 3600000},
    {"loadgen.answers", "gateway",
     "How an HTTP answer is read: gateway (200 with status stored, naming the message) or status "
     "(any 2xx)."},
    {"loadgen.content_type", "application/json", "Content-Type of HTTP requests of one message."},
    {"loadgen.batch", "1",
     "HTTP: messages per request; above 1 they go as one application/x-ndjson body (gateway "
     "answers only).",
     config::value_type::integer, 1, 100000},
    {"loadgen.credential", "",
     "A bridge credential (API key or JWT), sent as Authorization: Bearer on every request and "
     "upgrade; script/bench makes one. Secret."},
    {"loadgen.subprotocol", "",
     "WebSocket: the subprotocol to ask for (civic.batch-acks.v1: acks in batches); the run "
     "fails when the server does not grant it."},
    {"loadgen.run_id", "",
     "Prefix of every message id; empty: a random one, so runs never share ids."},
    {"loadgen.label", "", "Free text copied into the figures (which system, which settings)."},
};

expected<target, std::string> parse_url(const std::string& url) {
  target t;
  std::string rest;
  if (url.starts_with("ws://")) {
    t.websocket = true;
    rest = url.substr(5);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return unexpected("loadgen.url must start with ws:// or http:// (got " + url + ")");
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos)
    return unexpected("loadgen.url needs an explicit port (got " + url + ")");
  t.host = authority.substr(0, colon);
  t.port = authority.substr(colon + 1);
  return t;
}

std::string random_run_id() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "lg%08x", rd());
  return buf;
}

void print_figures(const config::settings& s, const target& where, const plan& p, const tally& t,
                   double measured_seconds, double cpu, double mean_body) {
  json::writer w;
  w.StartObject();
  w.member("label", s.text("loadgen.label"));
  w.member("protocol", where.websocket ? "websocket" : "http");
  w.member("url", s.text("loadgen.url"));
  w.member("mode", p.rate > 0 ? "open_loop" : "closed_loop");
  w.member("connections", s.integer("loadgen.connections"));
  w.member("window", where.websocket ? static_cast<int64_t>(p.window) : 1);
  w.member("batch", where.websocket ? 1 : s.integer("loadgen.batch"));
  w.member("subprotocol", s.text("loadgen.subprotocol"));
  w.member("target_rate", p.rate);
  w.member("measured_seconds", measured_seconds);
  w.member("sent", t.sent);
  w.member("acked", t.acked);
  w.member("nacked", t.nacked);
  w.member("lost", t.lost);
  w.member("duplicate", t.duplicate);
  w.member("unknown", t.unknown);
  w.counts("nack_codes", t.nack_codes);
  w.strings("errors", t.errors);
  w.member("throughput_msgs_per_s", static_cast<double>(t.measured_acks) / measured_seconds);
  w.member("throughput_mb_per_s", static_cast<double>(t.measured_bytes) / measured_seconds / 1e6);
  w.member("mean_message_bytes", mean_body);
  w.member("latency_from", p.rate > 0 ? "intended_send_time" : "actual_send_time");
  w.Key("latency");
  write_latency(w, t.latency);
  w.member("loadgen_cpu_seconds", cpu);
  w.member("ok", t.lost == 0 && t.duplicate == 0 && t.unknown == 0 && t.errors.empty());
  w.EndObject();
  std::puts(w.str().c_str());
}

}  // namespace

constexpr config::program this_program{
    "loadgen",
    "sends citizen messages to the gateway and prints throughput, latency and ack accounting"};

int main(int argc, char** argv) {
  auto s = config::start(this_program, loadgen_options, config::arguments(argc, argv));
  if (!s) return s.error();
  auto where = parse_url(s->text("loadgen.url"));
  if (!where) return config::refuse(this_program, where.error());
  if (s->text("loadgen.bodies").empty()) {
    return config::refuse(this_program,
                          "loadgen.bodies is required (bench/data/bodies FILE writes one)");
  }
  auto bodies = message_bodies::load(s->text("loadgen.bodies"));
  if (!bodies) return config::refuse(this_program, bodies.error());
  auto answers = s->text("loadgen.answers");
  if (answers != "gateway" && answers != "status") {
    return config::refuse(this_program, "loadgen.answers must be gateway or status");
  }
  if (s->integer("loadgen.batch") > 1 && (where->websocket || answers != "gateway")) {
    return config::refuse(this_program,
                          "loadgen.batch above 1 needs an http:// url and loadgen.answers=gateway");
  }
  auto warmup = std::chrono::milliseconds(s->integer("loadgen.warmup_ms"));
  auto duration = std::chrono::milliseconds(s->integer("loadgen.duration_ms"));
  if (warmup >= duration) {
    return config::refuse(this_program,
                          "loadgen.warmup_ms must be shorter than loadgen.duration_ms");
  }

  plan p;
  p.run_id = s->text("loadgen.run_id").empty() ? random_run_id() : s->text("loadgen.run_id");
  p.rate = static_cast<double>(s->integer("loadgen.rate"));
  p.window = static_cast<size_t>(s->integer("loadgen.window"));
  auto connections = static_cast<size_t>(s->integer("loadgen.connections"));
  // Connections are opened during the first second; the clock starts after it.
  p.start = clock::now() + std::chrono::milliseconds(1000);
  p.measure_from = p.start + warmup;
  p.stop_sending = p.start + duration;
  p.drain_deadline = p.stop_sending + std::chrono::milliseconds(s->integer("loadgen.drain_ms"));

  boost::asio::io_context io(1);
  tally t;
  schedule open_loop(p);
  for (size_t i = 0; i < connections; ++i) {
    connection_args a{*where,
                      *bodies,
                      p,
                      p.rate > 0 ? &open_loop : nullptr,
                      t,
                      i,
                      answers == "gateway" ? http_answers::gateway : http_answers::status_only,
                      s->text("loadgen.content_type"),
                      static_cast<size_t>(s->integer("loadgen.batch")),
                      s->text("loadgen.credential"),
                      s->text("loadgen.subprotocol")};
    boost::asio::co_spawn(io,
                          where->websocket ? run_websocket(std::move(a)) : run_http(std::move(a)),
                          boost::asio::detached);
  }
  double cpu_before = process_cpu_seconds();
  io.run();
  double measured = std::chrono::duration<double>(p.stop_sending - p.measure_from).count();
  print_figures(*s, *where, p, t, measured, process_cpu_seconds() - cpu_before,
                bodies->mean_bytes());
  bool ok = t.lost == 0 && t.duplicate == 0 && t.unknown == 0 && t.errors.empty();
  if (!ok) {
    std::fprintf(stderr,
                 "loadgen: FAILED: %llu lost, %llu answered twice, %llu unknown answers, %zu "
                 "transport errors\n",
                 static_cast<unsigned long long>(t.lost),
                 static_cast<unsigned long long>(t.duplicate),
                 static_cast<unsigned long long>(t.unknown), t.errors.size());
  }
  return ok ? 0 : 1;
}
