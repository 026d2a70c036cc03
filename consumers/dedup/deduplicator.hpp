#pragma once
// The dedup decision for one partition's stream of reports: exact duplicate
// (dropped, counted on its case), near-duplicate (joins an open case) or a new
// case. A report joins a case only in the same locality (district, or none for
// both) and with a division in common; then by distance when both have
// coordinates, else by text similarity. Candidates come from indexes only (geo
// cells, district buckets, MinHash LSH bands), never from a scan of the open cases. Memory is
// bounded: cases close when no report joined them for the window, and the oldest close first when
// max_open_cases is reached.
//
// Time is event time (each report's received_at), so the same input gives the
// same cases in the service, after a restart and in `dedup cluster`.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "consumers/dedup/case_index.hpp"
#include "consumers/dedup/case_state.hpp"
#include "consumers/dedup/report.hpp"

namespace civic::dedup {

struct dedup_settings {
  // Exact duplicates: a repeated idempotency key, or the same author with the
  // same normalised text, within this window of the original.
  int64_t exact_window_ms = 72LL * 3600 * 1000;
  // Near-duplicates: a report may join a case whose last report is at most this old.
  int64_t near_window_ms = 72LL * 3600 * 1000;
  // Both located: the report must be within this distance of the case's location.
  double radius_m = 250;
  // Same district, one side without coordinates, same script: minimum Jaccard.
  double district_text_threshold = 0.07;
  // No shared place at all: minimum Jaccard (same script only).
  double text_threshold = 0.12;
  // Same district, same division, within the window, but the texts are in
  // different scripts (Korean and English): characters cannot be compared, so
  // the shared place, division and time decide.
  // Used only when a report or the case has no embedding (dedup on the rules
  // alone); with the sentence model the embeddings decide (below).
  bool cross_script_district_match = true;
  // With the sentence model (cosine similarity of the embeddings, any scripts):
  // same district, one side without coordinates;
  double district_semantic_threshold = 0.35;
  // no shared place at all;
  double semantic_threshold = 0.45;
  // both located within radius_m: at least this (a different problem of the
  // same division next door is not the same case); and texts similar enough
  // join only with embeddings at least this close (shared words are often only
  // the place's name).
  double located_semantic_floor = 0.2;
  size_t semantic_bands = 3;      // random-hyperplane LSH over the embeddings:
  size_t semantic_band_bits = 5;  // bands of this many sign bits
  // Bounds on memory.
  size_t max_open_cases = 200'000;     // per partition: about 300 MB
  size_t max_members = 100;            // report ids listed on a case
  size_t signatures_per_case = 4;      // texts a case is compared by
  size_t fingerprints_per_case = 128;  // recent reports whose retries are recognised
  size_t lsh_bands = 16;               // LSH: bands of one minimum each
  size_t bucket_capacity = 64;         // most recent cases kept per index bucket
  // Statutory answer clocks (common/sla/): each new case starts one.
  sla::policy service_levels;
};

inline constexpr std::string_view triage_division = "triage";
// Longest title / latest_text kept on a case, in characters ("…" marks a cut).
inline constexpr size_t max_excerpt_chars = 140;
inline constexpr size_t max_case_channels = 16;
inline constexpr size_t max_citizen_marks = 64;
std::string excerpt(std::string_view text);

enum class match_kind { new_case, near_duplicate, exact_duplicate };
std::string_view to_string(match_kind k);

// Adds one to the count of kind k among `counts`' new_cases, near_duplicates and
// exact_duplicates (the service's counters, `dedup cluster`'s totals).
template <class Counts>
void count_match(match_kind k, Counts& counts) {
  switch (k) {
    case match_kind::new_case:
      ++counts.new_cases;
      break;
    case match_kind::near_duplicate:
      ++counts.near_duplicates;
      break;
    case match_kind::exact_duplicate:
      ++counts.exact_duplicates;
      break;
  }
}

struct decision {
  match_kind kind = match_kind::new_case;
  std::string case_id;
  // exact: the report it repeats; near: the case's first report; new: nullopt.
  std::optional<std::string> duplicate_of;
};

class deduplicator {
 public:
  explicit deduplicator(dedup_settings s);

  // Decides and updates the case it joins or creates. r.divisions must not be empty.
  decision add(const report& r);

  // Closes the cases no report joined within the window before `now_ms`, and
  // the oldest ones beyond max_open_cases; returns them (closed = true).
  std::vector<case_state> close_expired(int64_t now_ms);

  // The case after the last add; nullptr if it is not open.
  const case_state* find(const std::string& case_id) const;
  // The same, for changing what matching does not index: the lifecycle and the
  // divisions (a reassignment). Never change the id, district, location, times,
  // signatures or fingerprints through it.
  case_state* find_for_lifecycle(const std::string& case_id);

  // Puts back a case read from the changelog (open cases only).
  void restore(case_state c);
  void clear();

  size_t open_cases() const { return cases_.size(); }
  // The latest report time seen or restored: the partition's event clock.
  int64_t clock_ms() const { return clock_ms_; }
  const dedup_settings& settings() const { return settings_; }

 private:
  using handle = uint64_t;
  struct candidate_score {
    double score;
    handle h;
  };

  std::optional<decision> find_exact(const report& r, uint64_t idem_hash,
                                     uint64_t author_text_hash);
  std::optional<candidate_score> best_candidate(const report& r, const signature& sig,
                                                uint8_t script_bit,
                                                const std::vector<uint64_t>& semantic_keys);
  std::vector<handle> candidates(const report& r, const signature& sig,
                                 const std::vector<uint64_t>& semantic_keys) const;
  std::vector<uint64_t> semantic_keys(const std::optional<std::string>& district,
                                      std::span<const float> v) const;
  std::vector<uint64_t> semantic_keys(const case_state& c) const;

  handle insert(case_state c);
  void erase(handle h);
  void index(handle h, const case_state& c);
  void unindex(handle h, const case_state& c);
  // Calls visit(index, key) for each bucket of a bucket index (geo, district, LSH,
  // semantic) that holds c.
  template <class Visit>
  void for_each_bucket(const case_state& c, Visit&& visit);
  void index_fingerprint(handle h, const fingerprint& f);
  void unindex_fingerprint(handle h, const fingerprint& f);
  void touch(handle h, int64_t old_last_seen, int64_t new_last_seen);

  std::vector<uint64_t> geo_keys(const case_state& c) const;
  static uint64_t geo_key(geo_cell cell);
  static uint64_t district_key(const std::optional<std::string>& district);
  std::vector<uint64_t> lsh_keys(const std::optional<std::string>& district,
                                 const signature& s) const;

  dedup_settings settings_;
  handle next_handle_ = 1;
  int64_t clock_ms_ = 0;
  std::unordered_map<handle, case_state> cases_;
  boost::unordered_flat_map<std::string, handle> by_id_;
  std::set<std::pair<int64_t, handle>> by_last_seen_;
  boost::unordered_flat_map<uint64_t, handle> by_idempotency_;
  boost::unordered_flat_map<uint64_t, handle> by_author_text_;
  case_index geo_index_;
  case_index district_index_;
  case_index lsh_index_;
  case_index semantic_index_;
};

// Hashes that identify exact duplicates; 0 for author_text when anonymous.
uint64_t idempotency_hash(std::string_view key);
uint64_t author_text_hash(const std::optional<std::string>& author,
                          std::string_view normalized_text);

}  // namespace civic::dedup
