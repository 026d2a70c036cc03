// Per-message cost of the gateway's ingest path against simdjson's own parse of the
// same bytes: parse + validate (parse_inbound), + normalize (NFC, PII masking,
// language, author HMAC, envelope v1), + the envelope's JSON (what goes to Kafka).
// Google Benchmark reports bytes_per_second (of inbound JSON) and ns per message.
//
// usage: ingest_bench --bodies=FILE [google benchmark flags, e.g. --benchmark_format=json]

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/support/message_bodies.hpp"
#include "common/envelope/envelope_json.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/normalize.hpp"

namespace {

using namespace civic;

constexpr size_t distinct_messages = 1000;
std::vector<std::string> messages;
std::vector<simdjson::padded_string> padded_messages;
size_t total_bytes = 0;

const gateway::ingest::inbound_limits limits{};
const gateway::ingest::normalize_settings settings{"bench-author-key-not-a-secret"};
const gateway::ingest::sender webhook{gateway::ingest::sender::kind::bridge, "bench", {}};

// Each iteration handles every prepared message once.
void count(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(messages.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes));
}

void simdjson_dom_parse(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    for (const auto& m : padded_messages) {
      simdjson::dom::element doc;
      if (parser.parse(m).get(doc)) state.SkipWithError("simdjson refused a message");
      benchmark::DoNotOptimize(doc);
    }
  }
  count(state);
}
BENCHMARK(simdjson_dom_parse);

void parse_validate(benchmark::State& state) {
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto parsed = gateway::ingest::parse_inbound(m, limits);
      if (!parsed) state.SkipWithError("parse_inbound refused a message");
      benchmark::DoNotOptimize(parsed);
    }
  }
  count(state);
}
BENCHMARK(parse_validate);

void parse_validate_normalize(benchmark::State& state) {
  auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto parsed = gateway::ingest::parse_inbound(m, limits);
      if (!parsed) {
        state.SkipWithError("parse_inbound refused a message");
        break;
      }
      auto envelope = gateway::ingest::normalize(std::move(*parsed), webhook, settings, now);
      if (!envelope) state.SkipWithError("normalize refused a message");
      benchmark::DoNotOptimize(envelope);
    }
  }
  count(state);
}
BENCHMARK(parse_validate_normalize);

void parse_validate_normalize_serialize(benchmark::State& state) {
  auto now = std::chrono::system_clock::now();
  std::string json;  // reused, as the gateway's publisher does
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto parsed = gateway::ingest::parse_inbound(m, limits);
      if (!parsed) {
        state.SkipWithError("parse_inbound refused a message");
        break;
      }
      auto envelope = gateway::ingest::normalize(std::move(*parsed), webhook, settings, now);
      if (!envelope) {
        state.SkipWithError("normalize refused a message");
        break;
      }
      envelope::write_json(*envelope, json);
      benchmark::DoNotOptimize(json);
    }
  }
  count(state);
}
BENCHMARK(parse_validate_normalize_serialize);

}  // namespace

int main(int argc, char** argv) {
  std::string bodies_path;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--bodies=", 9) == 0) {
      bodies_path = argv[i] + 9;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (bodies_path.empty()) {
    std::fprintf(stderr,
                 "usage: ingest_bench --bodies=FILE [benchmark flags] (bench/data/bodies FILE "
                 "writes one)\n");
    return 2;
  }
  auto bodies = bench::message_bodies::load(bodies_path);
  if (!bodies) {
    std::fprintf(stderr, "ingest_bench: %s\n", bodies.error().c_str());
    return 2;
  }
  std::string m;
  for (size_t i = 0; i < distinct_messages; ++i) {
    bodies->compose(m, bench::message_id("ib", 0, i), i);
    total_bytes += m.size();
    padded_messages.emplace_back(m);
    messages.push_back(m);
  }
  int count_args = static_cast<int>(rest.size());
  benchmark::Initialize(&count_args, rest.data());
  benchmark::AddCustomContext("messages_per_iteration", std::to_string(messages.size()));
  benchmark::AddCustomContext("mean_message_bytes", std::to_string(total_bytes / messages.size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
