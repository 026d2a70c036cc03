// The end-to-end probe: reads every division.<id> topic as a division's dashboard
// would (read_committed, so only what dedup's and the router's transactions have
// committed) and times each message from the gateway's receipt (the record's
// ce_time header: the envelope's received_at, milliseconds, this machine's clock)
// to the moment its first record arrives here. A message routed to two divisions
// counts once, at its first record. Prints one JSON object of figures.

#include <chrono>
#include <cstdio>
#include <random>
#include <unordered_set>

#include "bench/support/figures_json.hpp"
#include "common/config/config.hpp"
#include "common/config/program.hpp"
#include "common/kafka/consumer.hpp"
#include "common/time/rfc3339.hpp"

using namespace civic;
using namespace civic::bench;
using wall = std::chrono::system_clock;

namespace {

constexpr config::option probe_options[] = {
    {"probe.topics", "^division\\..*", "Topics to read (a regex subscribes to every match)."},
    {"probe.duration_ms", "20000",
     "How long messages are sent (the load generator's duration, warm-up included).",
     config::value_type::integer, 100, 3600000},
    {"probe.warmup_ms", "4000",
     "Messages received by the gateway in this leading part are not timed.",
     config::value_type::integer, 0, 3600000},
    {"probe.start_delay_ms", "1000",
     "When the load generator's clock starts after both were launched (it opens its connections "
     "first).",
     config::value_type::integer, 0, 60000},
    {"probe.drain_ms", "60000",
     "After sending stops, how long to wait for the last records (ends earlier after 5 s with "
     "none).",
     config::value_type::integer, 1000, 3600000},
    {"probe.label", "", "Free text copied into the figures."},
};

std::span<const config::option> all_options() {
  static const std::vector<config::option> all = config::with_common_options({probe_options});
  return all;
}

}  // namespace

constexpr config::program this_program{
    "e2e_probe", "times messages from the gateway's receipt to their division topic"};

int main(int argc, char** argv) {
  auto s = config::start(this_program, all_options(), config::arguments(argc, argv));
  if (!s) return s.error();
  auto props = s->kafka_properties();
  std::random_device rd;
  props.emplace_back("group.id", "e2e-probe-" + std::to_string(rd()));
  props.emplace_back("auto.offset.reset", "earliest");  // a fresh broker: all is this run's
  props.emplace_back("fetch.wait.max.ms", "10");
  props.emplace_back("topic.metadata.refresh.interval.ms", "1000");
  auto made = kafka::consumer::create(props);
  if (!made) return config::refuse(this_program, made.error());
  auto& consumer = **made;
  if (auto ec = consumer.subscribe({s->text("probe.topics")})) {
    return config::refuse(this_program, "subscribe: " + ec.message());
  }
  const auto launched = wall::now();
  const auto start = launched + std::chrono::milliseconds(s->integer("probe.start_delay_ms"));
  const auto measure_from = start + std::chrono::milliseconds(s->integer("probe.warmup_ms"));
  const auto stop = start + std::chrono::milliseconds(s->integer("probe.duration_ms"));
  const auto deadline = stop + std::chrono::milliseconds(s->integer("probe.drain_ms"));

  latency_histogram latency;
  std::unordered_set<std::string> seen;
  uint64_t records = 0, timed = 0, unreadable = 0;
  auto last_record = wall::now();
  for (;;) {
    auto now = wall::now();
    if (now >= deadline) break;
    if (now >= stop && now - last_record > std::chrono::seconds(5)) break;
    auto polled = consumer.poll(std::chrono::milliseconds(100));
    if (!polled || !*polled) continue;
    auto arrived = wall::now();
    last_record = arrived;
    const auto& m = **polled;
    ++records;
    auto id = m.header("ce_id");
    auto time = m.header("ce_time");
    auto received = time ? parse_rfc3339(*time) : std::nullopt;
    if (!id || !received) {
      ++unreadable;
      continue;
    }
    if (!seen.emplace(*id).second) continue;  // its second division
    if (*received < measure_from || *received >= stop) continue;
    ++timed;
    latency.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(arrived - *received).count());
  }
  consumer.close();

  json::writer w;
  w.StartObject();
  w.member("label", s->text("probe.label"));
  w.member("records", records);
  w.member("messages", seen.size());
  w.member("timed", timed);
  w.member("unreadable", unreadable);
  w.member("latency_from", "gateway_receipt");
  w.Key("latency");
  write_latency(w, latency);
  w.EndObject();
  std::puts(w.str().c_str());
  return 0;
}
