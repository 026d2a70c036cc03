// Against the real broker: envelopes produced with the project's producer come
// back from feedback.ingested through the project's consumer, every one, byte
// for byte, with their CloudEvents headers.

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "common/envelope/cloudevents.hpp"
#include "common/envelope/envelope_json.hpp"
#include "common/id/uuid7.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/time/rfc3339.hpp"
#include "support/broker.hpp"

using namespace civic;
using namespace std::chrono_literals;

namespace {

envelope::message make_envelope(int i, const std::string& run) {
  envelope::message e;
  e.id = make_uuid7();
  e.received_at = format_rfc3339_utc(std::chrono::system_clock::now());
  e.channel = i % 2 ? "line" : "web";
  e.channel_message_id = run + "-" + std::to_string(i);
  e.idempotency_key = e.channel + ":" + e.channel_message_id;
  e.text = i % 3 ? "광화문역 앞 보도블록 파손 #" + std::to_string(i)
                 : "Broken streetlight on Sejong-daero, report " + std::to_string(i);
  e.language = i % 3 ? "ko" : "en";
  if (i % 4 == 0) e.place = envelope::location{37.5716, 126.9768, std::nullopt, "Jongno-gu"};
  return e;
}

}  // namespace

TEST_CASE("envelopes produced to the real broker are consumed back byte for byte") {
  const std::string bootstrap = test::required_broker();
  MESSAGE("real Kafka broker at " << bootstrap);

  const std::string run = make_uuid7();
  const std::string topic = "feedback.ingested";
  constexpr int count = 500;

  std::map<std::string, std::string> sent;  // key -> JSON value
  std::mutex mutex;
  std::condition_variable all_reported;
  int reported = 0, failed = 0;
  {
    auto producer = kafka::producer::create({{"bootstrap.servers", bootstrap}});
    REQUIRE(producer.has_value());
    for (int i = 0; i < count; ++i) {
      envelope::message e = make_envelope(i, run);
      std::string value = envelope::to_json(e);
      sent[e.idempotency_key] = value;
      kafka::record rec{topic, e.idempotency_key, value,
                        envelope::cloudevents_headers(e, std::nullopt)};
      REQUIRE_FALSE((*producer)->produce(std::move(rec), [&](const kafka::delivery_report& r) {
        std::lock_guard lock(mutex);
        ++reported;
        if (r.error || r.offset < 0) ++failed;
        all_reported.notify_all();
      }));
    }
    std::unique_lock lock(mutex);
    REQUIRE(all_reported.wait_for(lock, 60s, [&] { return reported == count; }));
  }
  CHECK(failed == 0);

  auto consumer =
      kafka::consumer::create({{"bootstrap.servers", bootstrap}, {"group.id", "roundtrip-" + run}});
  REQUIRE(consumer.has_value());
  REQUIRE_FALSE((*consumer)->subscribe({topic}));

  std::map<std::string, std::string> received;
  int headers_ok = 0;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (received.size() < sent.size() && std::chrono::steady_clock::now() < deadline) {
    auto polled = (*consumer)->poll(500ms);
    REQUIRE(polled.has_value());
    if (!*polled) continue;
    const auto& msg = **polled;
    std::string key(msg.key());
    if (!sent.contains(key)) continue;  // another run's record on the shared topic
    CHECK_MESSAGE(!received.contains(key), "duplicate delivery of " << key);
    received[key] = std::string(msg.value());
    auto parsed = envelope::parse_json(msg.value());
    REQUIRE(parsed.has_value());
    if (msg.header("ce_id") == parsed->id && msg.header("ce_specversion") == "1.0" &&
        msg.header("content-type") == "application/json") {
      ++headers_ok;
    }
  }
  CHECK(received.size() == sent.size());
  CHECK(received == sent);
  CHECK(headers_ok == count);
}
