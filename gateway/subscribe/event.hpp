#pragma once
// One event of a division's stream, as it goes to every subscriber: a routed
// message from division.<id> or a case from feedback.cases, already written as
// its server frame (schemas/subscribe-server-frame.v1.schema.json) with the
// stream's position after it. Immutable and shared: the window and every
// subscriber writing it hold the same bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/subscribe/position.hpp"

namespace civic::gateway::subscribe {

enum class source : uint8_t { division, cases };

struct event {
  std::string frame;       // one JSON object, no newline
  size_t token_begin = 0;  // where the position token sits inside frame
  size_t token_size = 0;
  position after;  // the stream's position once this event is delivered
  source from = source::division;
  int32_t partition = 0;
  int64_t offset = 0;
  uint64_t seq = 0;           // in its stream, from 1
  uint64_t bytes_before = 0;  // sum of the sizes of the stream's earlier events

  std::string_view token() const { return std::string_view(frame).substr(token_begin, token_size); }
  // The frame with another position in place of its own (a resumed subscriber
  // whose position is ahead of the stream's on some partition).
  std::string with_position(std::string_view other_token) const;
  // Memory it holds, for the window's byte bound.
  size_t footprint() const;
};

using event_ptr = std::shared_ptr<const event>;

}  // namespace civic::gateway::subscribe
