#include "consumers/dedup/case_lifecycle.hpp"

#include <xxhash.h>

#include <algorithm>
#include <charconv>

namespace civic::dedup {
namespace {

std::string cut(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

bool seen(case_lifecycle& l, const std::string& id, size_t keep) {
  if (std::find(l.recent_updates.begin(), l.recent_updates.end(), id) != l.recent_updates.end()) {
    return true;
  }
  l.recent_updates.push_back(id);
  if (l.recent_updates.size() > keep) l.recent_updates.erase(l.recent_updates.begin());
  return false;
}

bool fold_update(case_lifecycle& l, std::vector<std::string>& divisions,
                 const responses::response& r, const lifecycle_settings& settings) {
  if (!r.assign_to.empty()) divisions = r.assign_to;
  if (r.status) {
    l.status = *r.status;
  } else if (!r.assign_to.empty()) {
    l.status = responses::case_status::assigned;
  }
  if (r.expected_at) l.expected_at = r.expected_at;
  if (r.answer) {
    l.answer = case_answer{r.id, r.answer->text, r.answer->language,
                           r.at, r.division,     r.answer->published};
  }
  l.updated_at = r.at;
  if (l.answered_at.empty() && (r.answer || (r.status && !responses::is_open(*r.status)))) {
    l.answered_at = r.at;
  }
  l.history.push_back({r.id, l.status, r.at, r.division,
                       r.answer ? cut(r.answer->text, settings.note_chars) : std::string()});
  if (l.history.size() > settings.max_history) l.history.erase(l.history.begin());
  return true;
}

void fold_support(case_lifecycle& l, const responses::response& r,
                  const lifecycle_settings& settings, std::vector<responses::response>& crossed) {
  uint64_t hash = XXH3_64bits(r.supporter.data(), r.supporter.size());
  if (std::find(l.supporters.begin(), l.supporters.end(), hash) != l.supporters.end()) return;
  if (l.supporters.size() < settings.max_supporters) l.supporters.push_back(hash);
  ++l.support_count;
  for (const auto& t : settings.thresholds) {
    if (l.support_count != t.count) continue;
    l.thresholds.push_back({t.count, t.milestone, r.at});
    responses::response event;
    event.type = responses::response_type::threshold;
    event.id = "thr-" + r.case_id + "-" + std::to_string(t.count);
    event.case_id = r.case_id;
    event.locality = r.locality;
    event.at = r.at;
    event.threshold = t.count;
    event.milestone = t.milestone;
    event.support_count = l.support_count;
    crossed.push_back(std::move(event));
  }
}

}  // namespace

expected<std::vector<support_threshold>, std::string> parse_thresholds(std::string_view text) {
  std::vector<support_threshold> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    size_t colon = part.find(':');
    uint64_t count = 0;
    auto [end, ec] = std::from_chars(
        part.data(), part.data() + (colon == std::string_view::npos ? part.size() : colon), count);
    if (colon == std::string_view::npos || ec != std::errc() || end != part.data() + colon ||
        count == 0 || colon + 1 == part.size()) {
      return unexpected("'" + std::string(part) + "' is not count:milestone");
    }
    if (!out.empty() && count <= out.back().count) {
      return unexpected(std::string("thresholds must be given in ascending order, each once"));
    }
    out.push_back({count, std::string(part.substr(colon + 1))});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool fold_response(case_lifecycle& lifecycle, std::vector<std::string>& divisions,
                   const responses::response& r, const lifecycle_settings& settings,
                   std::vector<responses::response>& crossed) {
  switch (r.type) {
    case responses::response_type::update:
      if (seen(lifecycle, r.id, settings.recent_updates)) return false;
      return fold_update(lifecycle, divisions, r, settings);
    case responses::response_type::support: {
      uint64_t before = lifecycle.support_count;
      fold_support(lifecycle, r, settings, crossed);
      return lifecycle.support_count != before;
    }
    case responses::response_type::threshold:
      // dedup's own event coming back through the topic: already recorded.
      return false;
  }
  return false;
}

bool fold_delivery_summary(case_lifecycle& lifecycle, const responses::delivery_summary& s) {
  auto position = [&](const std::string& id) -> std::ptrdiff_t {
    for (size_t i = lifecycle.history.size(); i-- > 0;) {
      if (lifecycle.history[i].update_id == id) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  };
  // Only an update of this case's history (not a threshold notice to the
  // proposer), and never an older update's summary over a newer one's.
  std::ptrdiff_t incoming = position(s.update_id);
  if (incoming < 0) return false;
  if (lifecycle.deliveries && position(lifecycle.deliveries->update_id) > incoming) return false;
  if (lifecycle.deliveries == s) return false;
  lifecycle.deliveries = s;
  return true;
}

void note_service_request(case_lifecycle& lifecycle, std::string_view request_id,
                          std::string_view requested_at, const lifecycle_settings& settings) {
  for (const auto& r : lifecycle.service_requests) {
    if (r.id == request_id) return;
  }
  if (lifecycle.service_requests.size() >= settings.max_service_requests) return;
  lifecycle.service_requests.push_back({std::string(request_id), std::string(requested_at)});
}

}  // namespace civic::dedup
