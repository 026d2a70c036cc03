#pragma once
// The server frames of the subscribe protocol (schemas/subscribe-server-frame.v1.schema.json).
// Event frames embed the record's own JSON as it is on Kafka (checked and, if
// it has insignificant whitespace, minified), so a text frame may carry several
// frames, one per line.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/error/expected.hpp"
#include "gateway/subscribe/event.hpp"

namespace civic::gateway::subscribe {

// A Kafka record's value as one line of JSON: an object, minified. Error: not JSON.
expected<std::string, std::string> compact_json_object(std::string_view value);

// {"type":"message","position":P,"partition":p,"offset":o,"message":{...}}
event make_message_event(std::string_view compact_value, int32_t partition, int64_t offset,
                         const position& after);
// {"type":"case","position":P,"partition":p,"offset":o,"case":{...}}
event make_case_event(std::string_view compact_value, int32_t partition, int64_t offset,
                      const position& after);
// {"type":"case","snapshot":true,"case":{...}}: a case of a snapshot's state.
std::string snapshot_case_frame(std::string_view compact_value);

// What a case record says about itself (feedback.cases value, schemas/case.v1).
struct case_summary {
  std::string id;
  std::vector<std::string> divisions;
  bool open = true;
};
expected<case_summary, std::string> read_case_summary(std::string_view compact_value);

std::string welcome_frame(std::string_view sub, std::string_view role,
                          const std::vector<std::string>& divisions,
                          std::chrono::system_clock::time_point expires_at,
                          const std::vector<std::string>& known_divisions);
struct subscribed_info {
  std::string id;
  std::string division;
  std::string from;               // now, snapshot or position
  std::string position;           // where the subscription starts
  std::optional<bool> recovered;  // for a position: exact resume or not
  std::string reason;             // why not recovered
  std::string replay;             // memory, kafka or none
  std::optional<size_t> snapshot_cases;
};
std::string subscribed_frame(const subscribed_info& s);
// {"type":"live","id","position","replayed"}: everything before it was replay or state.
std::string live_frame(std::string_view id, std::string_view position, uint64_t replayed);
std::string error_frame(std::string_view id, std::error_code code, std::string_view message,
                        std::string_view pointer, bool retryable);
std::string refreshed_frame(std::string_view id, std::chrono::system_clock::time_point expires_at);
std::string refresh_due_frame(std::chrono::system_clock::time_point expires_at);
std::string disconnect_frame(int code, std::string_view reason, std::string_view position,
                             bool reconnect);

}  // namespace civic::gateway::subscribe
