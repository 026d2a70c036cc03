#pragma once
// Every division's stream in this process, fed by the one Kafka reader
// (live_reader): routed messages go to their division's stream, a case to the
// stream of every division it carries (and moves the position of the others).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/subscribe/stream.hpp"

namespace civic::gateway::subscribe {

struct hub_settings {
  std::string division_prefix = "division.";
  std::string cases_topic = "feedback.cases";
  stream_limits limits;
};

class hub {
 public:
  explicit hub(hub_settings s);

  const hub_settings& settings() const { return settings_; }

  // --- the reader's side -------------------------------------------------
  void set_case_partitions(size_t n);
  // Creates the division's stream or grows it to `partitions`.
  void add_division(const std::string& division, size_t partitions);
  void start_partition(const std::string* division, int32_t partition, int64_t next);
  void division_record(const std::string& division, int32_t partition, int64_t offset,
                       int64_t timestamp_ms, std::string_view key, std::string_view value);
  // value empty: a tombstone (the position moves; dedup never writes one on feedback.cases).
  void case_record(int32_t partition, int64_t offset, int64_t timestamp_ms, std::string_view key,
                   std::string_view value);
  void set_cases_loaded() { cases_loaded_ = true; }
  void sweep();

  // --- the subscribers' side ----------------------------------------------
  std::shared_ptr<stream> find(std::string_view division) const;
  std::vector<std::string> divisions() const;
  // Every cases partition was read to its end once: snapshots are complete.
  bool cases_loaded() const { return cases_loaded_; }

  struct stats {
    uint64_t records = 0, unreadable = 0;
    size_t subscribers = 0, window_bytes = 0, window_events = 0, open_cases = 0;
    std::map<std::string, size_t> subscribers_by_division;
  };
  stats snapshot_stats() const;

 private:
  std::vector<std::shared_ptr<stream>> all_streams() const;

  hub_settings settings_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<stream>, std::less<>> streams_;
  size_t case_partitions_ = 0;
  std::atomic<bool> cases_loaded_{false};
  std::atomic<uint64_t> records_{0}, unreadable_{0};
};

}  // namespace civic::gateway::subscribe
