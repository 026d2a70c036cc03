#include "gateway/open/options.hpp"

#include <iterator>
#include <vector>

#include "common/crypto/hmac.hpp"

namespace civic::gateway::open {
namespace {

using config::value_type;

constexpr config::option open_options[] = {
    {"open.enabled", "true",
     "Serve open data: the public read-only API /open/v1/ (no token) and the page /open/; "
     "needs gateway.answers.enabled (it reads the cases the answers module follows).",
     value_type::boolean},
    {"open.public_id_key", "",
     "Secret HMAC key of the public case ids (oc-…); empty: derived from gateway.author_key. "
     "Keep it stable and the same on every gateway and export: changing it changes every id."},
    {"open.k", "5",
     "k-anonymity: a statistic whose cases come from fewer than k distinct citizens is "
     "published suppressed (figures null).",
     value_type::integer, 1, 64},
    {"open.max_page_size", "500", "Most cases one page of /open/v1/cases may ask for.",
     value_type::integer, 1, 10000},
    {"open.utc_offset_minutes", "540",
     "The city's clock for weeks and export days: minutes east of UTC (Seoul 540).",
     value_type::integer, -720, 840},
    {"open.rate_per_second", "10",
     "Open-data requests a second one client address may make (token bucket); beyond it, 429.",
     value_type::integer, 0, 1000000},
    {"open.burst", "30", "Open-data requests one client address may make at once.",
     value_type::integer, 1, 1000000},
    {"open.max_age_s", "30", "Cache-Control max-age of open-data answers (they carry an ETag).",
     value_type::integer, 0, 86400},
    {"open.export_dir", "",
     "Where `gateway open-export` writes a day's files: a directory or a mounted object-store "
     "path (--out overrides it)."},
    {"open.page_dir", "opendata", "Folder of the public page's static files (served at /open/)."},
    {"open.districts_file", "deploy/config/districts/seoul-gu.geojson",
     "GeoJSON of the districts the public page's map draws (served as districts.geojson)."},
};

}  // namespace

std::span<const config::option> options() { return open_options; }

expected<open_settings, std::string> make_open_settings(const config::settings& s,
                                                        const std::string& author_key) {
  open_settings o;
  o.enabled = s.boolean("open.enabled");
  o.id_key = s.text("open.public_id_key");
  if (o.id_key.empty()) {
    // A key of its own, not the author key itself: a public id must not be an
    // HMAC any other part of the system computes under the same key.
    auto derived = crypto::hmac_sha256(author_key, "civic open data public case id key v1");
    o.id_key = crypto::to_hex(derived.data(), derived.size());
  } else if (o.id_key.size() < 16) {
    return unexpected(std::string("open.public_id_key must be at least 16 characters"));
  }
  o.k = static_cast<size_t>(s.integer("open.k"));
  o.max_page_size = static_cast<size_t>(s.integer("open.max_page_size"));
  o.utc_offset_minutes = static_cast<int>(s.integer("open.utc_offset_minutes"));
  o.client_rate = {static_cast<double>(s.integer("open.rate_per_second")),
                   static_cast<double>(s.integer("open.burst"))};
  o.max_age = std::chrono::seconds(s.integer("open.max_age_s"));
  o.page_dir = s.text("open.page_dir");
  o.districts_file = s.text("open.districts_file");
  return o;
}

}  // namespace civic::gateway::open
