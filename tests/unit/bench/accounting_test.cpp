// The figures and the verdict of a benchmark run rest on these: percentiles that
// match the samples, and every answer booked once against the message it names.

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "bench/loadgen/run.hpp"
#include "bench/support/latency_histogram.hpp"
#include "bench/support/message_bodies.hpp"
using namespace civic::bench;
using namespace civic::bench::loadgen;
using namespace std::chrono_literals;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              (name + "-" + std::to_string(std::random_device{}()) + ".jsonl");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("histogram percentiles are within 0.1% of the exact ones over six decades") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> spread(13.0, 2.0);  // ~0.4 ms median, tails to seconds
  std::vector<int64_t> samples;
  latency_histogram h;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<int64_t>(spread(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  CHECK(h.count() == 200000);
  CHECK(h.max() == samples.back());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    auto exact =
        samples[static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size()))) -
                1];
    CAPTURE(p);
    CHECK(h.percentile(p) >= exact);
    CHECK(static_cast<double>(h.percentile(p)) <= static_cast<double>(exact) * 1.001 + 1.0);
  }
}

TEST_CASE("small values are exact and merged histograms count every sample") {
  latency_histogram a, b;
  for (int64_t v = 1; v <= 1000; ++v) a.record(v);
  b.record(5'000'000'000);  // 5 s
  a.merge(b);
  CHECK(a.count() == 1001);
  CHECK(a.percentile(50) == 501);
  CHECK(a.percentile(100) == 5'000'000'000);
}

TEST_CASE("an answer is booked once: a second answer is a duplicate, an unsent id is unknown") {
  ledger sent;
  auto t = clock::now();
  auto first = sent.issue(t, 100);
  auto second = sent.issue(t, 100);
  ledger::entry e{};
  CHECK(sent.answer(static_cast<int64_t>(second), e) == ledger::verdict::first);
  CHECK(sent.answer(static_cast<int64_t>(second), e) == ledger::verdict::duplicate);
  CHECK(sent.answer(7, e) == ledger::verdict::unknown);
  CHECK(sent.answer(-1, e) == ledger::verdict::unknown);
  CHECK(sent.outstanding() == 1);  // `first` is still unanswered: lost if the run ends now
  CHECK(sent.answer(static_cast<int64_t>(first), e) == ledger::verdict::first);
  CHECK(sent.outstanding() == 0);
}

TEST_CASE(
    "only messages intended in the measured interval count in the latency, only acks in it in "
    "throughput") {
  plan p;
  p.start = clock::now();
  p.measure_from = p.start + 2s;
  p.stop_sending = p.start + 10s;
  tally t;
  ledger::entry warmup{p.start + 1s, 300};
  ledger::entry measured{p.start + 3s, 400};
  record_answer(p, t, ledger::verdict::first, warmup, true, "", p.start + 2500ms);
  record_answer(p, t, ledger::verdict::first, measured, true, "", p.start + 3s + 5ms);
  record_answer(p, t, ledger::verdict::first, measured, false, "invalid_value", p.start + 4s);
  record_answer(p, t, ledger::verdict::duplicate, measured, true, "", p.start + 4s);
  CHECK(t.acked == 2);
  CHECK(t.measured_acks == 2);
  CHECK(t.measured_bytes == 700);
  CHECK(t.latency.count() == 1);
  CHECK(t.latency.max() == 5'000'000);
  CHECK(t.nacked == 1);
  CHECK(t.nack_codes["invalid_value"] == 1);
  CHECK(t.duplicate == 1);
}

TEST_CASE("open-loop schedule spaces messages by the rate and stops at the stop time") {
  plan p;
  p.rate = 1000;
  p.start = clock::now();
  p.stop_sending = p.start + 10ms;
  schedule s(p);
  std::vector<clock::time_point> times;
  while (auto at = s.next()) times.push_back(*at);
  REQUIRE(times.size() == 10);
  CHECK(times[1] - times[0] == 1ms);
  CHECK(times.back() < p.stop_sending);
}

TEST_CASE("each composed message is valid JSON whose id names its sender and sequence") {
  auto path = write_temp("bodies", "{\"channel\":\"kakao\",\"text\":\"가로등이 꺼졌어요\"}\n");
  auto bodies = message_bodies::load(path);
  REQUIRE(bodies);
  std::string out;
  bodies->compose(out, message_id("run1", 3, 42), 0);
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["id"].GetString()) == "run1-3-42");
  CHECK(std::string(doc["text"].GetString()) == "가로등이 꺼졌어요");
  CHECK(sequence_of(doc["id"].GetString()) == 42);
  CHECK(sequence_of("no-number-x") == -1);
}

TEST_CASE("a bodies file that is not one object a line is refused with its line number") {
  auto path = write_temp("bodies", "{\"channel\":\"web\",\"text\":\"a\"}\n[1,2]\n");
  auto bodies = message_bodies::load(path);
  REQUIRE_FALSE(bodies);
  CHECK(bodies.error().find(":2:") != std::string::npos);
}
