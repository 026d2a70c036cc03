#pragma once
// Every case as open data, kept by the gateway from feedback.cases (fed by the
// answers module's case directory, which follows the topic on every partition).
// Thread-safe; readers take a snapshot.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/open/public_case.hpp"

namespace civic::gateway::open {

class catalog {
 public:
  // `max_staleness`: a snapshot is rebuilt (copied and sorted) at most this often
  // while records keep arriving, so a busy topic does not make every request sort.
  explicit catalog(std::string id_key,
                   std::chrono::milliseconds max_staleness = std::chrono::milliseconds(0))
      : id_key_(std::move(id_key)), max_staleness_(max_staleness) {}

  // A feedback.cases record (nullopt: a tombstone).
  void apply(std::string_view key, std::optional<std::string_view> value);

  // Every case, newest opened first (ties by public id): a stable order to page
  // through. Sorted once per change (or per max_staleness), shared by the requests.
  std::shared_ptr<const std::vector<public_case>> snapshot() const;
  std::optional<public_case> find(std::string_view public_id) const;
  size_t size() const;

 private:
  std::string id_key_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, public_case> cases_;      // case id -> its public view
  std::unordered_map<std::string, std::string> by_public_;  // public id -> case id
  std::chrono::milliseconds max_staleness_;
  mutable std::mutex sorted_mutex_;
  mutable std::shared_ptr<const std::vector<public_case>> sorted_;
  mutable bool stale_ = true;
  mutable std::chrono::steady_clock::time_point sorted_at_;
};

}  // namespace civic::gateway::open
