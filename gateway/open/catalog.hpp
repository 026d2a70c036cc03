#pragma once
// Every case as open data, kept by the gateway from feedback.cases (fed by the
// answers module's case directory, which follows the topic on every partition).
// Thread-safe; readers take a snapshot.

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
  explicit catalog(std::string id_key) : id_key_(std::move(id_key)) {}

  // A feedback.cases record (nullopt: a tombstone).
  void apply(std::string_view key, std::optional<std::string_view> value);

  // Every case, newest opened first (ties by public id): a stable order to page
  // through. Sorted once per change, shared by every request until the next one.
  std::shared_ptr<const std::vector<public_case>> snapshot() const;
  std::optional<public_case> find(std::string_view public_id) const;
  size_t size() const;

 private:
  std::string id_key_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, public_case> cases_;      // case id -> its public view
  std::unordered_map<std::string, std::string> by_public_;  // public id -> case id
  mutable std::mutex sorted_mutex_;
  mutable std::shared_ptr<const std::vector<public_case>> sorted_;  // null: changed since
};

}  // namespace civic::gateway::open
