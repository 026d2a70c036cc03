#pragma once
// One case: the reports of one concrete issue. The public part goes to
// feedback.cases (schemas/case.v1.schema.json); the matching part (signatures,
// fingerprints) goes only to the state changelog.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/sla/service_level.hpp"
#include "consumers/dedup/case_lifecycle.hpp"
#include "consumers/dedup/geo.hpp"
#include "consumers/dedup/minhash.hpp"
#include "consumers/dedup/semantic.hpp"

namespace civic::dedup {

// What recognises an exact duplicate of one report.
struct fingerprint {
  uint64_t idempotency_hash = 0;
  uint64_t author_text_hash = 0;  // 0: anonymous report
  int64_t time_ms = 0;
  std::string report_id;
  bool operator==(const fingerprint&) const = default;
};

// A case's lifecycle, on the heap from its first change: most open cases have
// had no response yet, and its fields take about 660 bytes (a third of an open
// case's memory, dedup_bench). Reads of a case without one see an empty lifecycle.
class lifecycle_box {
 public:
  lifecycle_box() = default;
  lifecycle_box(const lifecycle_box& other)
      : value_(other.value_ ? std::make_unique<case_lifecycle>(*other.value_) : nullptr) {}
  lifecycle_box& operator=(const lifecycle_box& other) {
    if (this != &other)
      value_ = other.value_ ? std::make_unique<case_lifecycle>(*other.value_) : nullptr;
    return *this;
  }
  lifecycle_box(lifecycle_box&&) noexcept = default;
  lifecycle_box& operator=(lifecycle_box&&) noexcept = default;
  lifecycle_box& operator=(case_lifecycle value) {
    value_ =
        value == case_lifecycle{} ? nullptr : std::make_unique<case_lifecycle>(std::move(value));
    return *this;
  }

  const case_lifecycle& get() const { return value_ ? *value_ : empty(); }
  // For a change: allocates the lifecycle the first time.
  case_lifecycle& edit() {
    if (!value_) value_ = std::make_unique<case_lifecycle>();
    return *value_;
  }
  bool operator==(const lifecycle_box& other) const { return get() == other.get(); }

 private:
  static const case_lifecycle& empty() {
    static const case_lifecycle none;
    return none;
  }
  std::unique_ptr<case_lifecycle> value_;
};

struct case_state {
  std::string id;
  uint64_t report_count = 0;         // reports in the case, exact duplicates not counted
  uint64_t duplicates_dropped = 0;   // exact duplicates recognised and not forwarded
  std::vector<std::string> members;  // report ids, the first max_members of them
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  std::vector<std::string> divisions;   // primary first, then others its reports named
  std::optional<std::string> district;  // the case's locality, fixed: nullopt is citywide
  std::optional<geo_point> location;    // of the first report that had coordinates
  // Closed to new reports (none joined within the window): matching is over,
  // the lifecycle goes on (case_lifecycle.hpp).
  bool closed = false;
  // For the dashboards, so they need not join reports themselves.
  std::string title;                  // the first report's text, cut to max_excerpt_chars
  std::string latest_text;            // the latest report's text, likewise; empty while it
                                      // is the title, as in most cases (one heap string saved)
  std::string kind = "complaint";     // the first report's
  std::string urgency = "normal";     // high once any report was urgent
  std::vector<std::string> channels;  // where its reports came from, first seen first
  // The statutory answer clock, from kind and urgency of the first report and
  // first_seen (nullopt: the kind has none, or the policy was off).
  std::optional<sla::clock> clock;
  // 32-bit hashes of the distinct authors' pseudonyms, the first
  // max_citizen_marks: how many citizens an open-data figure covers (its
  // k-anonymity) is the size of the union over its cases. Never published.
  std::vector<uint32_t> citizen_marks;

  // Matching state.
  uint8_t scripts = 0;                    // bit set of dedup::script of its reports
  std::vector<signature> signatures;      // of the first reports, bounded
  std::vector<fingerprint> fingerprints;  // of the most recent reports, bounded
  packed_embedding embedding;             // of its first report that had one

  // Status, answers, support, deliveries: folded in from feedback.responses.
  lifecycle_box lifecycle;

  const std::string& primary_division() const { return divisions.front(); }
  const std::string& latest() const { return latest_text.empty() ? title : latest_text; }
  void set_latest(std::string text) {
    latest_text = text == title ? std::string() : std::move(text);
  }
  bool operator==(const case_state&) const = default;
};

}  // namespace civic::dedup
