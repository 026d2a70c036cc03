#pragma once
// An index from 64-bit keys (a geo cell, a district, an LSH band value) to the
// cases filed under them, keeping only the most recent `capacity` cases per
// key so a busy key never turns a lookup into a scan.
//
// Most keys (LSH band values above all) hold a single case, and an open case
// has about twenty entries: they live in an open-addressing table of 16-byte
// slots (boost::unordered_flat_map), the few keys with more cases in a second
// table of small vectors. A node-based multimap cost about 40 bytes an entry.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <vector>

namespace civic::dedup {

class case_index {
 public:
  explicit case_index(size_t capacity) : capacity_(capacity) {}

  // Handles grow with time, so the smallest under a key is the oldest.
  void add(uint64_t key, uint64_t handle) {
    auto one = single_.find(key);
    if (one == single_.end()) {
      if (auto many = several_.find(key); many != several_.end())
        add_to(many->second, handle);
      else
        single_.emplace(key, handle);
      return;
    }
    if (one->second == handle) return;
    std::vector<uint64_t> handles{one->second};
    single_.erase(one);
    add_to(handles, handle);
    if (handles.size() == 1)
      single_.emplace(key, handles.front());
    else
      several_.emplace(key, std::move(handles));
  }

  void remove(uint64_t key, uint64_t handle) {
    if (auto one = single_.find(key); one != single_.end()) {
      if (one->second == handle) single_.erase(one);
      return;
    }
    auto many = several_.find(key);
    if (many == several_.end()) return;
    std::vector<uint64_t>& handles = many->second;
    for (auto it = handles.begin(); it != handles.end(); ++it) {
      if (*it == handle) {
        handles.erase(it);
        break;
      }
    }
    if (handles.size() == 1) {
      single_.emplace(key, handles.front());
      several_.erase(many);
    } else if (handles.empty()) {
      several_.erase(many);
    }
  }

  void collect(uint64_t key, std::vector<uint64_t>& out) const {
    if (auto one = single_.find(key); one != single_.end()) {
      out.push_back(one->second);
      return;
    }
    if (auto many = several_.find(key); many != several_.end())
      out.insert(out.end(), many->second.begin(), many->second.end());
  }

  void clear() {
    single_.clear();
    several_.clear();
  }
  size_t size() const {
    size_t total = single_.size();
    for (const auto& [key, handles] : several_) total += handles.size();
    return total;
  }

 private:
  // At capacity, the oldest case under the key makes room for the new one.
  void add_to(std::vector<uint64_t>& handles, uint64_t handle) const {
    auto oldest = handles.end();
    for (auto it = handles.begin(); it != handles.end(); ++it) {
      if (*it == handle) return;
      if (oldest == handles.end() || *it < *oldest) oldest = it;
    }
    if (handles.size() >= capacity_ && oldest != handles.end()) handles.erase(oldest);
    handles.push_back(handle);
  }

  size_t capacity_;
  boost::unordered_flat_map<uint64_t, uint64_t> single_;
  boost::unordered_flat_map<uint64_t, std::vector<uint64_t>> several_;
};

}  // namespace civic::dedup
