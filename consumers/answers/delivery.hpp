#pragma once
// One (update, recipient) from its ledger entry to its outcome: open the reply
// token, let the channel's client choose how to send, record the attempt before
// each request, retry 429 / 5xx / no connection with backoff (Retry-After
// wins), and decide what an interrupted or unanswered attempt means:
//
//   the channel recognises a repeat (repeat_safe)  -> sent again: exactly once
//   it does not, and answers.retry_unconfirmed
//   does not name it                               -> recorded unconfirmed: at most once
//
// Free of Kafka: `record` commits the non-final states, so tests and
// `answers send` drive it directly.

#include <chrono>
#include <functional>
#include <system_error>

#include "common/crypto/reply_token.hpp"
#include "consumers/answers/channels/channel_client.hpp"
#include "consumers/answers/ledger.hpp"
#include "consumers/answers/options.hpp"
#include "consumers/answers/rate_gate.hpp"

namespace civic::answers {

struct delivery_context {
  const channel_client* client = nullptr;  // nullptr: the channel is not enabled
  http_client* http = nullptr;
  rate_gate* rates = nullptr;
  const delivery_settings* settings = nullptr;
  const crypto::reply_opener* opener = nullptr;
  bool handle_usable = false;  // no earlier update used this recipient's reply handle
  std::function<bool()> stopping = [] { return false; };
  // Commits an attempting or pending entry; an error stops the delivery.
  std::function<std::error_code(const ledger_entry&)> record = [](const ledger_entry&) {
    return std::error_code();
  };
  // Waits (returning early when stopping).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

struct delivery_result {
  ledger_entry entry;     // done when finished; else as last recorded
  bool finished = false;  // false: stopping, or `record` failed (error)
  std::error_code error;
};

delivery_result deliver(ledger_entry entry, delivery_context& ctx);

}  // namespace civic::answers
