#include "consumers/dedup/deduplicator.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "consumers/dedup/normalize.hpp"
#include "consumers/dedup/shingles.hpp"

namespace civic::dedup {
namespace {

uint64_t nonzero(uint64_t h) { return h == 0 ? 1 : h; }

uint64_t hash_parts(std::initializer_list<std::string_view> parts, uint64_t seed) {
  std::string joined;
  for (std::string_view p : parts) joined.append(p).push_back('\0');
  return XXH3_64bits_withSeed(joined.data(), joined.size(), seed);
}

constexpr uint64_t geo_seed = 0x67656f;
constexpr uint64_t district_seed = 0x646973;
constexpr uint64_t lsh_seed = 0x6c7368;
constexpr uint64_t semantic_seed = 0x73656d;

enum class division_agreement { none, through_triage, shared };

// Divisions agree when they share one. "triage" (the classifier could not
// tell) agrees with every division, but only weakly: such a report joins a
// case on similar text alone, never on place alone.
division_agreement compare_divisions(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b) {
  bool triage = false;
  for (const auto& x : a) {
    if (x == triage_division) triage = true;
    for (const auto& y : b) {
      if (y == triage_division) triage = true;
      if (x == y && x != triage_division) return division_agreement::shared;
    }
  }
  return triage ? division_agreement::through_triage : division_agreement::none;
}

uint8_t script_bit(std::string_view normalized) {
  return static_cast<uint8_t>(dominant_script(normalized));
}

}  // namespace

std::string excerpt(std::string_view text) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (chars++ == max_excerpt_chars) return std::string(text.substr(0, i)) + "\u2026";
  }
  return std::string(text);
}

namespace {

void add_citizen(case_state& c, const std::optional<std::string>& author) {
  if (!author || c.citizen_marks.size() >= max_citizen_marks) return;
  auto mark = static_cast<uint32_t>(XXH3_64bits(author->data(), author->size()));
  if (std::find(c.citizen_marks.begin(), c.citizen_marks.end(), mark) == c.citizen_marks.end()) {
    c.citizen_marks.push_back(mark);
  }
}

void add_channel(case_state& c, const std::string& channel) {
  if (channel.empty() || c.channels.size() >= max_case_channels) return;
  if (std::find(c.channels.begin(), c.channels.end(), channel) == c.channels.end()) {
    c.channels.push_back(channel);
  }
}

}  // namespace

std::string_view to_string(match_kind k) {
  switch (k) {
    case match_kind::new_case:
      return "new";
    case match_kind::near_duplicate:
      return "near_duplicate";
    case match_kind::exact_duplicate:
      return "exact_duplicate";
  }
  return "new";
}

uint64_t idempotency_hash(std::string_view key) {
  return nonzero(XXH3_64bits(key.data(), key.size()));
}

uint64_t author_text_hash(const std::optional<std::string>& author,
                          std::string_view normalized_text) {
  if (!author || author->empty() || normalized_text.empty()) return 0;
  return nonzero(hash_parts({*author, normalized_text}, 0));
}

deduplicator::deduplicator(dedup_settings s)
    : settings_(s),
      geo_index_(s.bucket_capacity),
      district_index_(s.bucket_capacity),
      lsh_index_(s.bucket_capacity),
      semantic_index_(s.bucket_capacity) {}

decision deduplicator::add(const report& r) {
  std::string normalized = normalize_for_dedup(r.text);
  signature sig = make_signature(shingle_hashes(normalized));
  uint8_t script = script_bit(normalized);
  uint64_t idem = idempotency_hash(r.idempotency_key);
  uint64_t author_text = author_text_hash(r.author, normalized);
  clock_ms_ = std::max(clock_ms_, r.time_ms);

  if (auto exact = find_exact(r, idem, author_text)) return *exact;

  const auto report_keys = semantic_keys(r.district, r.embedding);
  fingerprint print{idem, author_text, r.time_ms, r.id};
  if (auto best = best_candidate(r, sig, script, report_keys)) {
    case_state& c = cases_.at(best->h);
    int64_t old_last_seen = c.last_seen_ms;
    if (r.time_ms >= c.last_seen_ms) c.set_latest(excerpt(r.text));
    if (r.urgency == "high") c.urgency = "high";
    add_channel(c, r.channel);
    add_citizen(c, r.author);
    ++c.report_count;
    if (c.members.size() < settings_.max_members) c.members.push_back(r.id);
    if (r.time_ms < c.first_seen_ms && c.clock) {
      // An earlier report arrived late: the clock runs from when the city first had it.
      c.clock->due_ms = sla::due_ms(settings_.service_levels.calendar, c.clock->allowed, r.time_ms);
    }
    c.first_seen_ms = std::min(c.first_seen_ms, r.time_ms);
    c.last_seen_ms = std::max(c.last_seen_ms, r.time_ms);
    for (const std::string& division : r.divisions) {
      if (division == triage_division) continue;
      if (std::find(c.divisions.begin(), c.divisions.end(), division) == c.divisions.end()) {
        c.divisions.push_back(division);
      }
    }
    // A case the classifier could not place takes the first real division it is given.
    if (c.divisions.size() > 1 && c.divisions.front() == triage_division) {
      c.divisions.erase(c.divisions.begin());
    }
    if (!c.location && r.point) {
      c.location = r.point;
      for (uint64_t key : geo_keys(c)) geo_index_.add(key, best->h);
    }
    if (c.embedding.empty() && !r.embedding.empty()) {
      c.embedding = pack_embedding(r.embedding);
      for (uint64_t key : semantic_keys(c)) semantic_index_.add(key, best->h);
    }
    c.scripts = static_cast<uint8_t>(c.scripts | script);
    if (!sig.empty && c.signatures.size() < settings_.signatures_per_case) {
      c.signatures.push_back(sig);
      for (uint64_t key : lsh_keys(c.district, sig)) lsh_index_.add(key, best->h);
    }
    c.fingerprints.push_back(print);
    index_fingerprint(best->h, print);
    if (c.fingerprints.size() > settings_.fingerprints_per_case) {
      unindex_fingerprint(best->h, c.fingerprints.front());
      c.fingerprints.erase(c.fingerprints.begin());
    }
    touch(best->h, old_last_seen, c.last_seen_ms);
    return {match_kind::near_duplicate, c.id, c.members.front()};
  }

  case_state c;
  c.id = "case-" + r.id;
  if (auto existing = by_id_.find(c.id); existing != by_id_.end()) {
    // The same report again under another idempotency key: still one report.
    case_state& same = cases_.at(existing->second);
    ++same.duplicates_dropped;
    return {match_kind::exact_duplicate, same.id, r.id};
  }
  c.report_count = 1;
  c.members.push_back(r.id);
  c.first_seen_ms = c.last_seen_ms = r.time_ms;
  c.divisions = r.divisions;
  c.district = r.district;
  c.location = r.point;
  c.scripts = script;
  c.embedding = pack_embedding(r.embedding);
  c.title = excerpt(r.text);
  c.kind = r.kind;
  c.urgency = r.urgency;
  c.clock = sla::start_clock(settings_.service_levels, c.kind, c.urgency, c.first_seen_ms);
  add_channel(c, r.channel);
  add_citizen(c, r.author);
  if (!sig.empty) c.signatures.push_back(sig);
  c.fingerprints.push_back(print);
  std::string id = c.id;
  insert(std::move(c));
  return {match_kind::new_case, id, std::nullopt};
}

std::optional<decision> deduplicator::find_exact(const report& r, uint64_t idem,
                                                 uint64_t author_text) {
  auto check = [&](const boost::unordered_flat_map<uint64_t, handle>& index, uint64_t key,
                   uint64_t fingerprint::*field) -> std::optional<decision> {
    if (key == 0) return std::nullopt;
    auto found = index.find(key);
    if (found == index.end()) return std::nullopt;
    case_state& c = cases_.at(found->second);
    for (const fingerprint& f : c.fingerprints) {
      if (f.*field != key) continue;
      if (std::llabs(r.time_ms - f.time_ms) > settings_.exact_window_ms) continue;
      ++c.duplicates_dropped;
      return decision{match_kind::exact_duplicate, c.id, f.report_id};
    }
    return std::nullopt;
  };
  if (auto d = check(by_idempotency_, idem, &fingerprint::idempotency_hash)) return d;
  return check(by_author_text_, author_text, &fingerprint::author_text_hash);
}

std::vector<deduplicator::handle> deduplicator::candidates(
    const report& r, const signature& sig, const std::vector<uint64_t>& semantic_keys) const {
  std::vector<handle> out;
  auto collect = [&](const case_index& index, uint64_t key) { index.collect(key, out); };
  if (r.point) {
    for (geo_cell cell : cells_around(*r.point, settings_.radius_m))
      collect(geo_index_, geo_key(cell));
  }
  // The district's most recent cases, or the most recent place-less ones: a
  // Korean and an English report with no place share no shingles, and the
  // embedding bands alone find a pair at cosine 0.5 only about a third of the time.
  collect(district_index_, district_key(r.district));
  for (uint64_t key : lsh_keys(r.district, sig)) collect(lsh_index_, key);
  for (uint64_t key : semantic_keys) collect(semantic_index_, key);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<deduplicator::candidate_score> deduplicator::best_candidate(
    const report& r, const signature& sig, uint8_t script,
    const std::vector<uint64_t>& semantic_keys) {
  std::optional<candidate_score> best;
  const case_state* best_case = nullptr;
  for (handle h : candidates(r, sig, semantic_keys)) {
    const case_state& c = cases_.at(h);
    // Partitioning is by locality: a case never takes a report from another district.
    if (c.district != r.district) continue;
    division_agreement divisions = compare_divisions(
        c.divisions, r.related_divisions.empty() ? r.divisions : r.related_divisions);
    if (divisions == division_agreement::none) continue;
    if (r.time_ms - c.last_seen_ms > settings_.near_window_ms) continue;
    if (c.first_seen_ms - r.time_ms > settings_.near_window_ms) continue;
    bool comparable = script != 0 && (c.scripts & script) != 0;
    // Embeddings compare across scripts and wordings.
    const bool semantic_known = !r.embedding.empty() && !c.embedding.empty();
    const double semantic = semantic_known ? cosine(r.embedding, c.embedding) : 0;
    // Distance decides before text does: only compare texts of cases still in play.
    double distance = 0;
    bool located = r.point && c.location;
    if (located) {
      distance = distance_m(*r.point, *c.location);
      if (distance > settings_.radius_m) continue;
    } else if (!comparable && !semantic_known &&
               (!r.district || divisions == division_agreement::through_triage)) {
      continue;  // only text could decide, and the texts cannot be compared
    }
    // Texts in different scripts share no shingles: their estimate is noise,
    // and must not rank one case above another.
    double similarity = 0;
    if (comparable) {
      for (const signature& s : c.signatures)
        similarity = std::max(similarity, estimate_jaccard(sig, s));
    }

    bool joins = false;
    double score = 0;
    // Shared words (often only the place's name) do not make two reports one
    // issue when their meanings are as far apart as unrelated reports' are.
    const bool meaning_not_apart = !semantic_known || semantic >= settings_.located_semantic_floor;
    const bool text_near =
        comparable && similarity >= settings_.district_text_threshold && meaning_not_apart;
    const bool meaning_near = semantic_known && semantic >= settings_.district_semantic_threshold;
    if (located) {
      joins = !semantic_known || semantic >= settings_.located_semantic_floor;
      score = 2 + similarity + 0.5 * semantic - 0.5 * distance / settings_.radius_m;
    } else if (r.district) {
      joins = semantic_known ? text_near || meaning_near
              : comparable   ? text_near
                             : settings_.cross_script_district_match;
      score = 1 + std::max(similarity, semantic - 0.5);
    } else {
      joins = (comparable && similarity >= settings_.text_threshold && meaning_not_apart) ||
              (semantic_known && semantic >= settings_.semantic_threshold);
      score = std::max(similarity, semantic - 0.5);
    }
    if (divisions == division_agreement::through_triage) {
      joins = joins && (text_near || meaning_near);
    }
    if (!joins) continue;
    // Ties (e.g. place and division alone) go to the case more citizens
    // reported, then to the older case, then to the smaller id: decisions
    // depend on the cases alone, not on the order they were restored in.
    auto rank = [](const case_state& x) {
      return std::make_tuple(x.report_count, -x.first_seen_ms);
    };
    bool better = !best || score > best->score ||
                  (score == best->score && (rank(c) > rank(*best_case) ||
                                            (rank(c) == rank(*best_case) && c.id < best_case->id)));
    if (better) {
      best = candidate_score{score, h};
      best_case = &c;
    }
  }
  return best;
}

std::vector<case_state> deduplicator::close_expired(int64_t now_ms) {
  std::vector<case_state> closed;
  int64_t horizon = std::max(settings_.near_window_ms, settings_.exact_window_ms);
  auto close_first = [&] {
    handle h = by_last_seen_.begin()->second;
    case_state c = cases_.at(h);
    erase(h);
    c.closed = true;
    closed.push_back(std::move(c));
  };
  while (!by_last_seen_.empty() && by_last_seen_.begin()->first < now_ms - horizon) close_first();
  while (cases_.size() > settings_.max_open_cases) close_first();
  return closed;
}

const case_state* deduplicator::find(const std::string& case_id) const {
  auto found = by_id_.find(case_id);
  return found == by_id_.end() ? nullptr : &cases_.at(found->second);
}

case_state* deduplicator::find_for_lifecycle(const std::string& case_id) {
  auto found = by_id_.find(case_id);
  return found == by_id_.end() ? nullptr : &cases_.at(found->second);
}

void deduplicator::restore(case_state c) {
  if (c.closed || c.divisions.empty()) return;
  if (auto found = by_id_.find(c.id); found != by_id_.end()) erase(found->second);
  clock_ms_ = std::max(clock_ms_, c.last_seen_ms);
  insert(std::move(c));
}

void deduplicator::clear() {
  cases_.clear();
  by_id_.clear();
  by_last_seen_.clear();
  by_idempotency_.clear();
  by_author_text_.clear();
  geo_index_.clear();
  district_index_.clear();
  lsh_index_.clear();
  semantic_index_.clear();
  clock_ms_ = 0;
}

deduplicator::handle deduplicator::insert(case_state c) {
  handle h = next_handle_++;
  index(h, c);
  by_id_[c.id] = h;
  by_last_seen_.insert({c.last_seen_ms, h});
  cases_.emplace(h, std::move(c));
  return h;
}

void deduplicator::erase(handle h) {
  auto found = cases_.find(h);
  if (found == cases_.end()) return;
  const case_state& c = found->second;
  unindex(h, c);
  by_id_.erase(c.id);
  by_last_seen_.erase({c.last_seen_ms, h});
  cases_.erase(found);
}

template <class Visit>
void deduplicator::for_each_bucket(const case_state& c, Visit&& visit) {
  for (uint64_t key : geo_keys(c)) visit(geo_index_, key);
  visit(district_index_, district_key(c.district));
  for (const signature& s : c.signatures) {
    for (uint64_t key : lsh_keys(c.district, s)) visit(lsh_index_, key);
  }
  for (uint64_t key : semantic_keys(c)) visit(semantic_index_, key);
}

void deduplicator::index(handle h, const case_state& c) {
  for_each_bucket(c, [h](case_index& index, uint64_t key) { index.add(key, h); });
  for (const fingerprint& f : c.fingerprints) index_fingerprint(h, f);
}

void deduplicator::unindex(handle h, const case_state& c) {
  for_each_bucket(c, [h](case_index& index, uint64_t key) { index.remove(key, h); });
  for (const fingerprint& f : c.fingerprints) unindex_fingerprint(h, f);
}

void deduplicator::index_fingerprint(handle h, const fingerprint& f) {
  by_idempotency_[f.idempotency_hash] = h;
  if (f.author_text_hash != 0) by_author_text_[f.author_text_hash] = h;
}

void deduplicator::unindex_fingerprint(handle h, const fingerprint& f) {
  auto drop = [h](boost::unordered_flat_map<uint64_t, handle>& index, uint64_t key) {
    auto found = index.find(key);
    if (found != index.end() && found->second == h) index.erase(found);
  };
  drop(by_idempotency_, f.idempotency_hash);
  if (f.author_text_hash != 0) drop(by_author_text_, f.author_text_hash);
}

void deduplicator::touch(handle h, int64_t old_last_seen, int64_t new_last_seen) {
  if (old_last_seen == new_last_seen) return;
  by_last_seen_.erase({old_last_seen, h});
  by_last_seen_.insert({new_last_seen, h});
}

std::vector<uint64_t> deduplicator::geo_keys(const case_state& c) const {
  if (!c.location) return {};
  return {geo_key(cell_of(*c.location, settings_.radius_m))};
}

uint64_t deduplicator::geo_key(geo_cell cell) {
  uint64_t packed = static_cast<uint64_t>(static_cast<uint32_t>(cell.row)) << 32 |
                    static_cast<uint32_t>(cell.column);
  return XXH3_64bits_withSeed(&packed, sizeof packed, geo_seed);
}

uint64_t deduplicator::district_key(const std::optional<std::string>& district) {
  // hash_parts ends every part with a NUL: no part at all is no district's key.
  return district ? hash_parts({*district}, district_seed) : hash_parts({}, district_seed);
}

std::vector<uint64_t> deduplicator::semantic_keys(const std::optional<std::string>& district,
                                                  std::span<const float> v) const {
  return semantic_band_keys(v, settings_.semantic_bands, settings_.semantic_band_bits,
                            hash_parts({district ? *district : ""}, semantic_seed));
}

// A case is filed under the keys of its packed vector, so that the keys it is
// removed by are the keys it was added by.
std::vector<uint64_t> deduplicator::semantic_keys(const case_state& c) const {
  if (c.embedding.empty()) return {};
  return semantic_keys(c.district, unpack_embedding(c.embedding));
}

std::vector<uint64_t> deduplicator::lsh_keys(const std::optional<std::string>& district,
                                             const signature& s) const {
  return band_keys(s, settings_.lsh_bands, hash_parts({district ? *district : ""}, lsh_seed));
}

}  // namespace civic::dedup
