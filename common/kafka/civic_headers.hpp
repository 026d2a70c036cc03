#pragma once
// Kafka headers the project's services add to records, and the dead-letter
// record they all write: one definition, since each is a contract between
// services (dedup sets the case id the router reads; operators read dead letters).

#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/record.hpp"

namespace civic::kafka {

// On feedback.unique: the case a report belongs to.
inline constexpr std::string_view case_id_header = "civic-case-id";
// On feedback.deadletter: why the record could not be processed, and by whom.
inline constexpr std::string_view deadletter_reason_header = "civic-deadletter-reason";
inline constexpr std::string_view deadletter_source_header = "civic-deadletter-source";

// The input record as it was (key, value, headers) for feedback.deadletter,
// with the reason and "<service>:<input topic>" as its source.
inline record deadletter_record(std::string topic, std::string_view key, std::string_view value,
                                std::vector<header> headers, std::string reason,
                                std::string source) {
  record rec{std::move(topic), std::string(key), std::string(value), std::move(headers), -1};
  rec.headers.push_back({std::string(deadletter_reason_header), std::move(reason)});
  rec.headers.push_back({std::string(deadletter_source_header), std::move(source)});
  return rec;
}

}  // namespace civic::kafka
