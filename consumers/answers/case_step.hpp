#pragma once
// The answers service's first two steps, free of the Kafka client so tests call
// them directly; both run in one exactly-once transaction loop:
//
//  1. route: feedback.unique (a report and its case id) -> answers.work, a
//     recipient record keyed by case id; feedback.responses (updates the
//     citizens hear about, threshold events) -> answers.work keyed by case id.
//     Every record of a case meets on one partition, in order.
//  2. expand: answers.work partition p -> the case's recipients on the
//     changelog partition p, and for each update one pending ledger entry per
//     recipient on the ledger partition p (a threshold event: the proposer's),
//     in the transaction that consumes the update: each (update, recipient)
//     becomes a job exactly once. The delivery worker of partition p does the rest.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/record.hpp"
#include "consumers/answers/options.hpp"

namespace civic::answers {

using inbound_record = kafka::consumed_record;

// What an answers.work record is: "recipient" or "response".
inline constexpr std::string_view work_kind_header = "civic-answers-input";

struct case_counters {
  uint64_t reports_routed = 0;
  uint64_t reports_without_reply = 0;  // no reply token: nobody to answer
  uint64_t responses_routed = 0;
  uint64_t deadlettered = 0;
  uint64_t recipients_added = 0;
  uint64_t updates_expanded = 0;
  uint64_t updates_repeated = 0;
  uint64_t updates_without_recipients = 0;
  uint64_t jobs_created = 0;
  uint64_t cases_retired = 0;
};

// Step 1. nullopt: nothing to route (a report without a reply token, a support record).
std::optional<kafka::record> route_report(const inbound_record& in, const topics& names,
                                          case_counters& counters);
std::optional<kafka::record> route_response(const inbound_record& in, const topics& names,
                                            case_counters& counters);

struct recipient {
  std::string key;  // author id, or "report:<envelope id>" for an anonymous report
  std::string channel;
  std::string token;            // the latest report's (the freshest reply handle and thread)
  int64_t first_ms = 0;         // their first report in the case
  int64_t last_inbound_ms = 0;  // their latest
  std::string language;
  bool operator==(const recipient&) const = default;
};

struct case_recipients {
  std::string case_id;
  std::vector<recipient> recipients;        // in the order they first reported
  std::vector<std::string> recent_updates;  // ids already expanded
  int64_t activity_ms = 0;
};

// Step 2 for one partition.
class case_book {
 public:
  explicit case_book(case_settings settings) : settings_(settings) {}

  // A changelog record read back on assignment (key and value as written).
  void restore(std::string_view key, std::string_view value);
  void clear();

  void fold(const inbound_record& in, const topics& names, std::vector<kafka::record>& out,
            case_counters& counters, int64_t now_ms);

  const case_recipients* find(const std::string& case_id) const;
  size_t cases() const { return cases_.size(); }

 private:
  void add_recipient(const inbound_record& in, const topics& names, std::vector<kafka::record>& out,
                     case_counters& counters);
  void expand(const inbound_record& in, const topics& names, std::vector<kafka::record>& out,
              case_counters& counters, int64_t now_ms);
  void touch(case_recipients& c, int64_t at_ms);
  void retire(const topics& names, int32_t partition, std::vector<kafka::record>& out,
              case_counters& counters, int64_t now_ms);

  case_settings settings_;
  std::map<std::string, case_recipients> cases_;
  std::set<std::pair<int64_t, std::string>> by_activity_;
};

// Changelog keys: one record per (case, recipient), and one per case.
std::string recipient_changelog_key(std::string_view case_id, std::string_view recipient);
std::string case_changelog_key(std::string_view case_id);

}  // namespace civic::answers
