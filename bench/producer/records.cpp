#include "bench/producer/records.hpp"

#include <chrono>

#include "common/envelope/cloudevents.hpp"
#include "common/envelope/envelope_json.hpp"
#include "gateway/ingest/inbound.hpp"
#include "gateway/ingest/normalize.hpp"

namespace civic::bench {

expected<std::vector<kafka::record>, std::string> gateway_records(const message_bodies& bodies,
                                                                  size_t count,
                                                                  const std::string& topic,
                                                                  const std::string& run_id) {
  gateway::ingest::inbound_limits limits;
  gateway::ingest::normalize_settings settings{"bench-author-key-not-a-secret"};
  // The records a bridge's messages become (the load generator is one).
  const gateway::ingest::sender bridge{gateway::ingest::sender::kind::bridge, "bench", {}};
  std::vector<kafka::record> records;
  records.reserve(count);
  std::string json;
  for (size_t i = 0; i < count; ++i) {
    bodies.compose(json, message_id(run_id, 0, i), i);
    auto inbound = gateway::ingest::parse_inbound(json, limits);
    if (!inbound)
      return unexpected("body " + std::to_string(i % bodies.size()) + ": " +
                        inbound.error().error.message);
    auto envelope = gateway::ingest::normalize(std::move(*inbound), bridge, settings,
                                               std::chrono::system_clock::now());
    if (!envelope)
      return unexpected("body " + std::to_string(i % bodies.size()) + ": " +
                        envelope.error().message);
    records.push_back(kafka::record{topic, envelope->idempotency_key, envelope::to_json(*envelope),
                                    envelope::cloudevents_headers(*envelope, std::nullopt)});
  }
  return records;
}

}  // namespace civic::bench
