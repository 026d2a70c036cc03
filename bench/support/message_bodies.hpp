#pragma once
// The message bodies every benchmark sends: inbound messages (schemas/inbound-message.v1)
// without their "id", one JSON object a line, as bench/data/bodies writes them. Each
// sender gives every message an id of its own, so an ack names exactly one message.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::bench {

class message_bodies {
 public:
  static expected<message_bodies, std::string> load(const std::string& path);

  size_t size() const { return bodies_.size(); }
  double mean_bytes() const;

  // Writes body `index % size()` with `"id":"<id>"` as its first member into `out`.
  void compose(std::string& out, std::string_view id, size_t index) const;

 private:
  std::vector<std::string> bodies_;  // each "{...}" with no id member
};

// "<run>-<connection>-<sequence>": what the load generators use as message ids.
std::string message_id(std::string_view run, size_t connection, uint64_t sequence);

// The sequence number at the end of such an id, or -1 when it has none.
int64_t sequence_of(std::string_view id);

}  // namespace civic::bench
