// The direct producer: what Kafka takes on this machine from one librdkafka producer
// with the gateway's own producer (common/kafka/producer, the same defaults:
// idempotent, acks=all, linger 5 ms, lz4), sending the records the gateway would send
// for the same message bodies. Closed loop (as fast as a bound on unreported records
// allows) or open loop (a fixed rate, latency from each record's intended send time).
// Prints one JSON object of figures; exits 1 when a record was lost or failed.

#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "bench/producer/records.hpp"
#include "bench/support/figures_json.hpp"
#include "bench/support/process_cpu.hpp"
#include "common/config/config.hpp"
#include "common/config/program.hpp"
#include "common/kafka/producer.hpp"

using namespace civic;
using namespace civic::bench;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr config::option producer_options[] = {
    {"producer.topic", "feedback.ingested", "Topic to produce to (the gateway's gateway.topic)."},
    {"producer.bodies", "",
     "Message bodies, one inbound message without id a line (bench/data/bodies). Required."},
    {"producer.distinct_records", "20000",
     "Distinct records prepared (each body with its own id, normalized); sending cycles through "
     "them.",
     config::value_type::integer, 1, 10000000},
    {"producer.max_in_flight", "10000",
     "Closed loop: records produced and not yet reported, at most.", config::value_type::integer, 1,
     10000000},
    {"producer.rate", "0",
     "Records a second; 0 sends as fast as max_in_flight allows (closed loop).",
     config::value_type::integer, 0, 10000000},
    {"producer.duration_ms", "10000", "How long to send, warm-up included.",
     config::value_type::integer, 100, 3600000},
    {"producer.warmup_ms", "2000", "Leading part of the run left out of the figures.",
     config::value_type::integer, 0, 3600000},
    {"producer.drain_ms", "30000", "After sending stops, how long reports may take.",
     config::value_type::integer, 100, 3600000},
    {"producer.label", "", "Free text copied into the figures."},
    {"producer.dump_values", "",
     "Write the prepared record values to this file, one a line, and exit without producing "
     "(the payload file for Kafka's ProducerPerformance)."},
};

std::span<const config::option> all_options() {
  static const std::vector<config::option> all = config::with_common_options({producer_options});
  return all;
}

// Shared between the sending thread and the producer's reporting thread.
struct ledger {
  std::mutex mutex;
  std::condition_variable room;
  int64_t in_flight = 0;
  uint64_t delivered = 0, failed = 0, measured = 0, measured_bytes = 0;
  std::map<std::string, uint64_t> errors;
  latency_histogram latency;
};

}  // namespace

constexpr config::program this_program{
    "producer_bench",
    "produces the gateway's records straight to Kafka with the gateway's producer settings"};

int main(int argc, char** argv) {
  auto s = config::start(this_program, all_options(), config::arguments(argc, argv));
  if (!s) return s.error();
  if (s->text("producer.bodies").empty()) {
    return config::refuse(this_program, "producer.bodies is required");
  }
  auto bodies = message_bodies::load(s->text("producer.bodies"));
  if (!bodies) return config::refuse(this_program, bodies.error());
  std::random_device rd;
  std::string run_id = "pb" + std::to_string(rd());
  auto records =
      gateway_records(*bodies, static_cast<size_t>(s->integer("producer.distinct_records")),
                      s->text("producer.topic"), run_id);
  if (!records) return config::refuse(this_program, records.error());
  if (const auto& dump = s->text("producer.dump_values"); !dump.empty()) {
    std::ofstream out(dump);
    for (const auto& r : *records) out << r.value << '\n';  // envelope JSON is compact: no newlines
    out.close();
    if (!out) return config::refuse(this_program, "cannot write " + dump);
    return 0;
  }
  auto made = kafka::producer::create(s->kafka_properties());
  if (!made) return config::refuse(this_program, made.error());
  auto& producer = **made;
  if (auto down = producer.check_connectivity(std::chrono::seconds(10))) {
    return config::refuse(this_program, "Kafka unreachable: " + down.message());
  }

  // Produced as the gateway produces them: views, copied by librdkafka.
  std::vector<std::vector<kafka::header_view>> header_views;
  header_views.reserve(records->size());
  for (const auto& r : *records) {
    auto& views = header_views.emplace_back();
    for (const auto& h : r.headers) views.push_back({h.name.c_str(), h.value});
  }
  const double rate = static_cast<double>(s->integer("producer.rate"));
  const int64_t max_in_flight = s->integer("producer.max_in_flight");
  const auto start = clock_type::now() + std::chrono::milliseconds(200);
  const auto measure_from = start + std::chrono::milliseconds(s->integer("producer.warmup_ms"));
  const auto stop = start + std::chrono::milliseconds(s->integer("producer.duration_ms"));
  ledger book;
  uint64_t produced = 0, value_bytes = 0;
  double cpu_before = process_cpu_seconds();
  std::this_thread::sleep_until(start);
  for (uint64_t i = 0;; ++i) {
    clock_type::time_point intended;
    if (rate > 0) {
      intended = start + std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / rate));
      if (intended >= stop) break;
      std::this_thread::sleep_until(intended);
    } else {
      std::unique_lock lock(book.mutex);
      book.room.wait(lock, [&] { return book.in_flight < max_in_flight; });
      lock.unlock();
      intended = clock_type::now();
      if (intended >= stop) break;
    }
    const kafka::record& prepared = (*records)[i % records->size()];
    const kafka::record_view view{prepared.topic.c_str(), prepared.key, prepared.value,
                                  header_views[i % records->size()]};
    auto bytes = prepared.value.size();
    auto on_delivery = [&book, intended, bytes, measure_from,
                        stop](const kafka::delivery_report& r) {
      auto now = clock_type::now();
      std::lock_guard lock(book.mutex);
      --book.in_flight;
      if (r.error) {
        ++book.failed;
        ++book.errors[r.error.message()];
      } else {
        ++book.delivered;
        if (now >= measure_from && now < stop) {
          ++book.measured;
          book.measured_bytes += bytes;
        }
        if (intended >= measure_from && intended < stop) {
          book.latency.record(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now - intended).count());
        }
      }
      book.room.notify_one();
    };
    {
      std::lock_guard lock(book.mutex);
      ++book.in_flight;
    }
    // A full librdkafka queue is waited out; the wait counts in the record's latency.
    while (std::error_code refused = producer.produce(view, on_delivery)) {
      if (clock_type::now() >= stop + std::chrono::seconds(5)) {
        std::fprintf(stderr, "producer_bench: produce keeps failing: %s\n",
                     refused.message().c_str());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ++produced;
    value_bytes += bytes;
  }
  producer.flush(std::chrono::milliseconds(s->integer("producer.drain_ms")));
  producer.close(std::chrono::seconds(1));
  double cpu = process_cpu_seconds() - cpu_before;

  std::lock_guard lock(book.mutex);
  double measured_seconds = std::chrono::duration<double>(stop - measure_from).count();
  uint64_t lost = produced - book.delivered - book.failed;
  json::writer w;
  w.StartObject();
  w.member("label", s->text("producer.label"));
  w.member("mode", rate > 0 ? "open_loop" : "closed_loop");
  w.member("target_rate", rate);
  w.member("max_in_flight", max_in_flight);
  w.member("measured_seconds", measured_seconds);
  w.member("sent", produced);
  w.member("acked", book.delivered);
  w.member("failed", book.failed);
  w.member("lost", lost);
  w.counts("errors", book.errors);
  w.member("throughput_msgs_per_s", static_cast<double>(book.measured) / measured_seconds);
  w.member("throughput_mb_per_s",
           static_cast<double>(book.measured_bytes) / measured_seconds / 1e6);
  w.member("mean_record_value_bytes",
           produced ? static_cast<double>(value_bytes) / static_cast<double>(produced) : 0.0);
  w.member("latency_from", rate > 0 ? "intended_send_time" : "actual_send_time");
  w.Key("latency");
  write_latency(w, book.latency);
  w.member("cpu_seconds", cpu);
  w.member("ok", lost == 0 && book.failed == 0);
  w.EndObject();
  std::puts(w.str().c_str());
  return lost == 0 && book.failed == 0 ? 0 : 1;
}
