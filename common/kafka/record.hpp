#pragma once
// What a producer sends and what its delivery report says.

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace civic::kafka {

struct header {
  std::string name;
  std::string value;
};

struct record {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<header> headers;
  int32_t partition = -1;  // -1: the partitioner chooses from the key
  // Sends a null value instead of `value`: on a compacted topic, the key's
  // tombstone (compaction then removes the key altogether).
  bool tombstone = false;
};

struct delivery_report {
  std::error_code error;  // empty when Kafka has stored the record
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

// Called exactly once per record accepted by producer::produce, on the
// producer's polling thread: hand work off quickly (post it to an executor).
using delivery_handler = std::function<void(const delivery_report&)>;

}  // namespace civic::kafka
