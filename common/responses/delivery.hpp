#pragma once
// Records on feedback.deliveries (key: the case id; schemas/delivery.v1.schema.json),
// written by the answers service:
//   outcome  what became of one (update, recipient): delivered, failed, ...
//   summary  the counts of one update's recipients by outcome and channel, when
//            the last recipient has an outcome and at most every few seconds
//            before; dedup folds it into the case ("answered 48 of 50 citizens").
// A recipient is named by the envelope's pseudonymous author id (or the report
// id for an anonymous report), never by an address.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"

namespace civic::responses {

enum class delivery_outcome {
  delivered,       // the channel took the message for the citizen
  published,       // the channel has no push; the answer is where the citizen looks (Open311)
  failed,          // refused for good, or given up after retries (detail says why)
  window_expired,  // only a template may be sent now and none is configured (WhatsApp 24 h)
  opted_out,       // the citizen blocked the account or does not accept messages
  unconfirmed,     // an attempt may have reached the citizen but the channel cannot say, and
                   // a repeat could be a second copy: not repeated
};
std::string_view to_string(delivery_outcome o);
std::optional<delivery_outcome> parse_delivery_outcome(std::string_view text);
inline constexpr size_t delivery_outcome_count = 6;

struct delivery_outcome_record {
  std::string update_id;
  std::string case_id;
  std::string locality;
  std::string at;         // RFC 3339 UTC
  std::string recipient;  // author id, or "report:<envelope id>"
  std::string channel;
  delivery_outcome outcome = delivery_outcome::delivered;
  std::string mode;    // how: reply, push, text, template, dm, event, email, status
  std::string detail;  // why, for failed / unconfirmed / opted_out ("" otherwise)
  uint32_t attempts = 0;
  bool operator==(const delivery_outcome_record&) const = default;
};

struct delivery_summary {
  std::string update_id;
  std::string case_id;
  std::string locality;
  std::string at;
  uint64_t recipients = 0;                                // citizens the update goes to
  bool complete = false;                                  // every one has an outcome
  std::map<std::string, uint64_t, std::less<>> outcomes;  // outcome name -> count
  std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>>
      by_channel;  // channel -> outcome -> count
  bool operator==(const delivery_summary&) const = default;
};

std::string to_json(const delivery_outcome_record& r);
std::string to_json(const delivery_summary& s);

// The record's type member: "outcome" or "summary"; nullopt when unreadable.
std::optional<std::string> delivery_record_type(std::string_view json);
expected<delivery_summary, field_error> parse_delivery_summary(std::string_view json);
expected<delivery_outcome_record, field_error> parse_delivery_outcome_record(std::string_view json);

}  // namespace civic::responses
