#include "consumers/dedup/service/options.hpp"

#include <cstdlib>
#include <vector>

#include "common/config/program.hpp"

namespace civic::dedup {
namespace {

using config::value_type;

constexpr config::option dedup_options[] = {
    {"dedup.rules", "deploy/config/rules/seoul.yaml",
     "Classification rules file (shared with the router): divisions and district of each report."},
    {"dedup.related_division_share", "0.3",
     "A report may join a case of any division its text scored at least this share (0 to 1) "
     "of its top division's score for (1: only the classifier's own divisions)."},
    {"dedup.group_id", "dedup", "Kafka consumer group of the dedup instances."},
    {"dedup.transactional_id", "dedup-0",
     "Kafka transactional id, stable and unique per instance (a restarted instance fences its "
     "predecessor). Use e.g. the pod name."},
    {"dedup.topic.input", "feedback.ingested", "Envelopes to deduplicate."},
    {"dedup.topic.repartition", "dedup.repartition",
     "Internal: envelopes re-keyed by locality (district or citywide), so likely duplicates meet "
     "on "
     "one partition."},
    {"dedup.topic.changelog", "dedup.changelog",
     "Internal, compacted: the open cases of each repartition partition (same partition count)."},
    {"dedup.topic.unique", "feedback.unique",
     "Envelopes without exact duplicates, with their case id."},
    {"dedup.topic.cases", "feedback.cases", "Current state of each case, keyed by case id."},
    {"dedup.topic.deadletter", "feedback.deadletter",
     "Records that cannot be read, with the reason."},
    {"dedup.exact_window_hours", "72",
     "Exact duplicates (a repeated idempotency key; the same author with the same text) are "
     "recognised within this many hours of the original.",
     value_type::integer, 1, 24 * 365},
    {"dedup.near_window_hours", "72",
     "A report joins a case only if the case's last report is at most this many hours old; "
     "older cases are closed.",
     value_type::integer, 1, 24 * 365},
    {"dedup.radius_m", "250",
     "Reports with coordinates join a case within this distance (same division); also the geo "
     "cell size.",
     value_type::integer, 10, 10000},
    {"dedup.district_text_threshold", "0.07",
     "Minimum text similarity (Jaccard of character shingles, 0 to 1) to join a case in the same "
     "district when one side has no coordinates."},
    {"dedup.text_threshold", "0.12",
     "Minimum text similarity (0 to 1) to join a case when the two share no place."},
    {"dedup.cross_script_district_match", "true",
     "Without the sentence model only (dedup.model empty): in one district and division, a "
     "Korean and an English report (texts not comparable) may join one case on place, division "
     "and time alone.",
     value_type::boolean},
    {"dedup.model", "deploy/config/model/seoul-triage.head",
     "The sentence model's heads (shared with the router); dedup computes each report's "
     "embedding once, compares meaning with it, and carries it to the router in the "
     "civic-embedding header. Empty: rules and character shingles only."},
    {"dedup.model_dir", "",
     "Folder of the multilingual encoder (use-m3.civicmodel, sp.model); empty: "
     "$CIVIC_CACHE_DIR/models/use-m3, by default ~/.cache/civic-gateway/models/use-m3."},
    {"dedup.district_semantic_threshold", "0.35",
     "With the sentence model: minimum cosine similarity of two reports' embeddings (0 to 1, any "
     "languages) to join a case in the same district when one side has no coordinates."},
    {"dedup.semantic_threshold", "0.45",
     "With the sentence model: minimum cosine similarity to join a case when the two share no "
     "place."},
    {"dedup.located_semantic_floor", "0.2",
     "With the sentence model: two located reports within dedup.radius_m join only if their "
     "embeddings are at least this similar; nor do similar texts join when their embeddings are "
     "less similar than this."},
    {"dedup.max_open_cases", "200000",
     "Open cases kept per partition (about 1.5 KB each); beyond it the least recently reported "
     "close first.",
     value_type::integer, 1, 100'000'000},
    {"dedup.max_members", "100", "Report ids listed on a case (the count goes on).",
     value_type::integer, 1, 100000},
    {"dedup.signatures_per_case", "4", "Texts of a case new reports are compared with.",
     value_type::integer, 1, 64},
    {"dedup.fingerprints_per_case", "128",
     "Most recent reports of a case whose retries and cross-posts are recognised.",
     value_type::integer, 1, 4096},
    {"dedup.lsh_bands", "16",
     "MinHash LSH bands (one minimum each) indexing case texts: more finds more low-similarity "
     "candidates, costs memory and time.",
     value_type::integer, 1, 16},
    {"dedup.bucket_capacity", "64",
     "Most recent cases kept in one index bucket (geo cell, district, LSH band).",
     value_type::integer, 1, 100000},
    {"dedup.max_batch_records", "500", "Records per Kafka transaction at most.",
     value_type::integer, 1, 100000},
    {"dedup.max_batch_wait_ms", "20",
     "How long a transaction's batch may wait to fill (a message waits for it at each of dedup's "
     "two stages).",
     value_type::integer, 1, 60000},
    {"dedup.repartition_locally", "true",
     "A record whose locality's repartition partition this instance owns is deduplicated in "
     "the same transaction, without the round trip through the repartition topic (one "
     "transaction less on a message's way; false: every record goes through the topic).",
     value_type::boolean},
    {"dedup.stats_interval_s", "60", "Seconds between dedup.stats log lines (counters).",
     value_type::integer, 1, 86400},
    {"dedup.ops_listen", "0.0.0.0:9100",
     "Where GET /healthz, /readyz and /metrics (Prometheus) are served, HOST:PORT (port 0: any "
     "free one, logged as ops.listening); empty: not served."},
    {"dedup.ready_stall_s", "60",
     "/readyz fails when records wait and no transaction committed for this many seconds.",
     value_type::integer, 1, 86400},
    {"dedup.topic.responses", "feedback.responses",
     "Status changes, answers and support (folded into the cases); support thresholds crossed "
     "are written here too."},
    {"dedup.topic.deliveries", "feedback.deliveries",
     "The answers service's delivery outcomes; their per-update summaries are folded into the "
     "cases."},
    {"dedup.support_thresholds", "50:department_answers,100:public_forum,1000:mayor_answers",
     "count:milestone pairs in ascending order: when an idea's support reaches a count, a "
     "threshold event goes to the responses topic (after Democracy Seoul)."},
    {"dedup.max_supporters_per_case", "5000",
     "Supporters remembered per case, so one person counts once; beyond it support is still "
     "counted without that check.",
     value_type::integer, 1, 50000},
    {"dedup.closed_case_retention_days", "90",
     "A case closed to new reports stays answerable (status, answers, support) until nothing "
     "happened to it for this many days.",
     value_type::integer, 1, 3650},
    {"dedup.sla.limits", "grievance:7d,proposal:14d,simple_question:7d,immediate:3h",
     "Statutory answer limits by class (Korean Civil Petitions Treatment Act): class:<n>d "
     "(working days, the day of receipt counted) or class:<n>h (working hours from receipt)."},
    {"dedup.sla.kinds", "complaint:grievance,idea:proposal,question:simple_question",
     "kind:class: which limit a case of each kind runs against; a kind not listed (praise) has "
     "no clock."},
    {"dedup.sla.urgent_class", "immediate",
     "The class of a case whose first report was urgent (empty: urgency does not change it)."},
    {"dedup.sla.holidays", "deploy/config/holidays/kr-2026-2027.txt",
     "Public holidays the clocks skip (one YYYY-MM-DD name a line); empty: weekends only."},
    {"dedup.sla.working_hours", "09:00-12:00,13:00-18:00",
     "The working periods of a working day, local time: hour limits count only these, a day "
     "limit ends at the last one's end."},
    {"dedup.sla.utc_offset_minutes", "540", "The city's clock: minutes east of UTC (Seoul 540).",
     value_type::integer, -720, 840},
    {"dedup.max_closed_cases", "500000",
     "Closed but answerable cases kept per partition (about 400 bytes each); beyond it the least "
     "recently active leave first.",
     value_type::integer, 1, 100'000'000},
};

expected<double, std::string> fraction(const config::settings& s, std::string_view key) {
  const std::string& text = s.text(key);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= 0.0 && v <= 1.0)) {
    return unexpected(std::string(key) + ": must be a number from 0 to 1, got \"" + text + "\"");
  }
  return v;
}

}  // namespace

std::span<const config::option> options() {
  static const std::vector<config::option> all = config::with_common_options({dedup_options});
  return all;
}

expected<service_config, std::string> make_service_config(const config::settings& s) {
  service_config c;
  constexpr int64_t hour_ms = 3600LL * 1000;
  c.dedup.exact_window_ms = s.integer("dedup.exact_window_hours") * hour_ms;
  c.dedup.near_window_ms = s.integer("dedup.near_window_hours") * hour_ms;
  c.dedup.radius_m = static_cast<double>(s.integer("dedup.radius_m"));
  auto district = fraction(s, "dedup.district_text_threshold");
  if (!district) return unexpected(district.error());
  auto text = fraction(s, "dedup.text_threshold");
  if (!text) return unexpected(text.error());
  c.dedup.district_text_threshold = *district;
  c.dedup.text_threshold = *text;
  c.dedup.cross_script_district_match = s.boolean("dedup.cross_script_district_match");
  for (auto [key, into] :
       {std::pair{"dedup.district_semantic_threshold", &c.dedup.district_semantic_threshold},
        std::pair{"dedup.semantic_threshold", &c.dedup.semantic_threshold},
        std::pair{"dedup.located_semantic_floor", &c.dedup.located_semantic_floor}}) {
    auto v = fraction(s, key);
    if (!v) return unexpected(v.error());
    *into = *v;
  }
  c.model_file = s.text("dedup.model");
  c.model_dir = s.text("dedup.model_dir");
  c.dedup.max_open_cases = static_cast<size_t>(s.integer("dedup.max_open_cases"));
  c.dedup.max_members = static_cast<size_t>(s.integer("dedup.max_members"));
  c.dedup.signatures_per_case = static_cast<size_t>(s.integer("dedup.signatures_per_case"));
  c.dedup.fingerprints_per_case = static_cast<size_t>(s.integer("dedup.fingerprints_per_case"));
  c.dedup.lsh_bands = static_cast<size_t>(s.integer("dedup.lsh_bands"));
  c.dedup.bucket_capacity = static_cast<size_t>(s.integer("dedup.bucket_capacity"));
  c.names.input = s.text("dedup.topic.input");
  c.names.repartition = s.text("dedup.topic.repartition");
  c.names.changelog = s.text("dedup.topic.changelog");
  c.names.unique = s.text("dedup.topic.unique");
  c.names.cases = s.text("dedup.topic.cases");
  c.names.deadletter = s.text("dedup.topic.deadletter");
  c.names.responses = s.text("dedup.topic.responses");
  c.names.deliveries = s.text("dedup.topic.deliveries");
  auto thresholds = parse_thresholds(s.text("dedup.support_thresholds"));
  if (!thresholds) return unexpected("dedup.support_thresholds: " + thresholds.error());
  c.lifecycle.thresholds = std::move(*thresholds);
  c.lifecycle.max_supporters = static_cast<size_t>(s.integer("dedup.max_supporters_per_case"));
  c.closed_case_retention_ms = s.integer("dedup.closed_case_retention_days") * 24 * hour_ms;
  c.max_closed_cases = static_cast<size_t>(s.integer("dedup.max_closed_cases"));
  auto& levels = c.dedup.service_levels;
  auto limits = sla::parse_classes(s.text("dedup.sla.limits"));
  if (!limits) return unexpected("dedup.sla.limits: " + limits.error());
  levels.classes = std::move(*limits);
  auto kinds = sla::parse_kind_classes(s.text("dedup.sla.kinds"), levels.classes);
  if (!kinds) return unexpected("dedup.sla.kinds: " + kinds.error());
  levels.kind_classes = std::move(*kinds);
  levels.urgent_class = s.text("dedup.sla.urgent_class");
  if (!levels.urgent_class.empty() && !levels.classes.contains(levels.urgent_class)) {
    return unexpected("dedup.sla.urgent_class: class '" + levels.urgent_class + "' has no limit");
  }
  auto periods = sla::parse_periods(s.text("dedup.sla.working_hours"));
  if (!periods) return unexpected("dedup.sla.working_hours: " + periods.error());
  levels.calendar.periods = std::move(*periods);
  levels.calendar.utc_offset_minutes = static_cast<int>(s.integer("dedup.sla.utc_offset_minutes"));
  c.holidays_file = s.text("dedup.sla.holidays");
  c.rules_file = s.text("dedup.rules");
  auto related = fraction(s, "dedup.related_division_share");
  if (!related) return unexpected(related.error());
  c.related_share = *related;
  c.group_id = s.text("dedup.group_id");
  c.transactional_id = s.text("dedup.transactional_id");
  if (c.group_id.empty() || c.transactional_id.empty()) {
    return unexpected(std::string("dedup.group_id and dedup.transactional_id must not be empty"));
  }
  c.max_batch_records = static_cast<size_t>(s.integer("dedup.max_batch_records"));
  c.max_batch_wait = std::chrono::milliseconds(s.integer("dedup.max_batch_wait_ms"));
  c.repartition_locally = s.boolean("dedup.repartition_locally");
  c.stats_interval = std::chrono::seconds(s.integer("dedup.stats_interval_s"));
  c.ops_listen = s.text("dedup.ops_listen");
  c.ready_stall = std::chrono::seconds(s.integer("dedup.ready_stall_s"));
  return c;
}

}  // namespace civic::dedup
