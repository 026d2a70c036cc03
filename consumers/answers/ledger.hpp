#pragma once
// The delivery ledger (answers.ledger, compacted, key "<update id>/<recipient>"):
// one entry per (update, recipient), whose latest record is its state:
//
//   pending     to be sent (written by the case step with the update, exactly once)
//   attempting  a request is about to go out (committed before it does)
//   done        its outcome: delivered, published, failed, window_expired,
//               opted_out, unconfirmed; never sent again
//
// A worker that finds an entry attempting after a crash or a rebalance knows
// that request may have reached the citizen: it repeats it only where the
// channel recognises a repeat (channel_client::repeat_safe), and records the
// entry unconfirmed otherwise. Every record carries the whole job (the sealed
// reply token, the notice), so the latest one alone is enough.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "common/responses/delivery.hpp"
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {

enum class job_state { pending, attempting, done };
std::string_view to_string(job_state s);

struct ledger_entry {
  job_state state = job_state::pending;
  std::string update_id;
  std::string case_id;
  std::string locality;
  std::string recipient;  // author id, or "report:<envelope id>"
  std::string channel;
  std::string token;        // the sealed reply token, as in the envelope
  std::string kind;         // "update" or "threshold"
  uint32_t recipients = 0;  // how many recipients the update has in all
  int64_t last_inbound_ms = 0;
  std::string created_at;
  notice message;
  uint32_t attempts = 0;                               // requests made so far
  std::string mode;                                    // of the latest attempt ("" none yet)
  std::optional<responses::delivery_outcome> outcome;  // when done
  std::string detail;
  std::string finished_at;
  bool operator==(const ledger_entry&) const = default;
};

std::string ledger_key(std::string_view update_id, std::string_view recipient);
std::string to_json(const ledger_entry& e);
expected<ledger_entry, std::string> ledger_entry_from_json(std::string_view json);

// A UUID (version 8, RFC 9562) from SHA-256 of the update id and the recipient:
// the same for every attempt at one (update, recipient), different for any other.
std::string idempotency_key(std::string_view update_id, std::string_view recipient);

}  // namespace civic::answers
