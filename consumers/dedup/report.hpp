#pragma once
// What the deduplicator needs to know about one incoming report, whatever it
// came from (an envelope on Kafka, a corpus line in `dedup cluster`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consumers/dedup/geo.hpp"

namespace civic::dedup {

struct report {
  std::string id;                     // envelope id (corpus id offline)
  int64_t time_ms = 0;                // received_at, milliseconds since the epoch
  std::string idempotency_key;        // equal for a retry or redelivery
  std::optional<std::string> author;  // pseudonym; nullopt when anonymous
  std::string text;
  std::optional<geo_point> point;
  // From the shared classifier, so dedup and router agree: primary first.
  std::vector<std::string> divisions;
  // Divisions with evidence in the text (placement::related); empty: divisions.
  std::vector<std::string> related_divisions;
  std::optional<std::string> district;
  // The sentence embedding of the text (the shared classifier's model); empty
  // when dedup runs on the rules alone.
  std::vector<float> embedding;
  // What a division's dashboard shows of it (case.v1 title, kind, urgency, channels).
  std::string channel;
  std::string kind = "complaint";  // the channel's when it said, else the rules'
  std::string urgency = "normal";
};

}  // namespace civic::dedup
