#pragma once
// An index from 64-bit keys (a geo cell, a district, an LSH band value) to the
// cases filed under them, keeping only the most recent `capacity` cases per
// key so a busy key never turns a lookup into a scan. One node per entry, no
// per-key container: most LSH keys hold a single case.

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace civic::dedup {

class case_index {
 public:
  explicit case_index(size_t capacity) : capacity_(capacity) {}

  // Handles grow with time, so the smallest under a key is the oldest.
  void add(uint64_t key, uint64_t handle) {
    auto [first, last] = entries_.equal_range(key);
    size_t count = 0;
    auto oldest = last;
    for (auto it = first; it != last; ++it, ++count) {
      if (it->second == handle) return;
      if (oldest == last || it->second < oldest->second) oldest = it;
    }
    if (count >= capacity_ && oldest != last) entries_.erase(oldest);
    entries_.emplace(key, handle);
  }

  void remove(uint64_t key, uint64_t handle) {
    auto [first, last] = entries_.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (it->second == handle) {
        entries_.erase(it);
        return;
      }
    }
  }

  void collect(uint64_t key, std::vector<uint64_t>& out) const {
    auto [first, last] = entries_.equal_range(key);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
  }

  void clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  size_t capacity_;
  std::unordered_multimap<uint64_t, uint64_t> entries_;
};

}  // namespace civic::dedup
