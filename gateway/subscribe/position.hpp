#pragma once
// Positions: where a subscriber is in a division's stream, as an opaque,
// URL-safe token. A stream reads two topics, division.<id> and feedback.cases;
// its position holds, for every partition of both, the next offset to read and
// an anchor (a 32-bit hash of the record just before it), so a resume is exact
// (like a consumer's committed offsets) and a recreated or truncated topic is
// noticed: the record at next - 1 must still be there and hash the same.
//
// Token: base64url (no padding) of
//   u8 version (1) | u32 stream id (hash of both topic names)
//   varint n | n x (varint next offset, u32 anchor)     division topic partitions
//   varint m | m x (varint next offset, u32 anchor)     cases topic partitions

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::gateway::subscribe {

struct partition_mark {
  int64_t next = 0;     // the next offset to deliver
  uint32_t anchor = 0;  // hash of the record at next - 1; 0: none known (nothing read yet)
  bool operator==(const partition_mark&) const = default;
};

struct position {
  uint32_t stream = 0;                   // stream_id(division topic, cases topic)
  std::vector<partition_mark> division;  // by partition number
  std::vector<partition_mark> cases;

  // True when every partition of this position is at or after `other`'s.
  bool covers(const position& other) const;
  bool operator==(const position&) const = default;
};

uint32_t stream_id(std::string_view division_topic, std::string_view cases_topic);

// Hash of one record's identity: its timestamp and key (the same record read
// twice hashes the same; another record at that offset almost surely not). Never 0.
uint32_t record_anchor(int64_t timestamp_ms, std::string_view key);

std::string encode_position(const position& p);
// Why a token does not read: "not base64url", "truncated", "unknown version".
expected<position, std::string> decode_position(std::string_view token);

}  // namespace civic::gateway::subscribe
