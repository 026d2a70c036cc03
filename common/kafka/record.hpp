#pragma once
// What a producer sends and what its delivery report says.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
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

// A record made of views (into reused buffers, or into what the caller keeps):
// producing it copies what Kafka needs, so nothing is allocated for it per record.
struct header_view {
  const char* name;  // NUL-terminated (a literal)
  std::string_view value;
};

struct record_view {
  const char* topic = "";  // NUL-terminated
  std::string_view key;
  std::string_view value;
  std::span<const header_view> headers;
  int32_t partition = -1;
};

// A consumed record as a processing step reads it: views into the consumer's
// message (which outlives the step), its headers copied out.
struct consumed_record {
  std::string_view topic;
  int32_t partition = -1;
  std::string_view key;
  std::string_view value;
  std::vector<header> headers;
};

// The value of the header called `name` (the last, when it repeats), or nullptr.
inline const std::string* find_header(const std::vector<header>& headers, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& h : headers) {
    if (h.name == name) found = &h.value;
  }
  return found;
}

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
