#include "gateway/subscribe/service.hpp"

#include <vector>

namespace civic::gateway::subscribe {
namespace {

using config::value_type;
constexpr int64_t mib = 1024 * 1024;

constexpr config::option subscribe_options[] = {
    {"subscribe.enabled", "true",
     "Serve /v1/subscribe and /dashboard/ (false: an ingest-only gateway, no Kafka consumer).",
     value_type::boolean},
    {"gateway.ingest.enabled", "true",
     "Take citizen messages (/v1/stream, /v1/messages, webhooks, Open311); false: a fan-out-only "
     "gateway.",
     value_type::boolean},
    {"subscribe.topic.division_prefix", "division.",
     "Topics of the divisions' routed messages: prefix + division id."},
    {"subscribe.topic.cases", "feedback.cases", "The cases topic (compacted)."},
    {"subscribe.window_bytes", "16777216",
     "Memory for each division's window of recent events (resumes from memory); older "
     "positions are read back from Kafka.",
     value_type::integer, 64 * 1024, 16 * 1024 * mib},
    {"subscribe.queue_events", "4096",
     "Events a subscriber may be behind before it is disconnected as slow (close 4008).",
     value_type::integer, 16, 10'000'000},
    {"subscribe.queue_bytes", "4194304",
     "Bytes a subscriber may be behind before it is disconnected as slow (close 4008); at most "
     "subscribe.window_bytes.",
     value_type::integer, 64 * 1024, 16 * 1024 * mib},
    {"subscribe.max_open_cases", "50000",
     "Open cases kept per division for snapshots; beyond it the least recently active leave "
     "the snapshot.",
     value_type::integer, 1, 10'000'000},
    {"subscribe.prefill_records", "1000",
     "At start, each division partition is read from this many records before its end, so "
     "recent positions resume from memory after a restart.",
     value_type::integer, 0, 10'000'000},
    {"subscribe.metadata_refresh_ms", "10000",
     "How often new division topics and partitions are looked for.", value_type::integer, 100,
     3'600'000},
    {"subscribe.history_readers", "2",
     "Kafka consumers reading older positions back (each serves one replay at a time).",
     value_type::integer, 0, 64},
    {"subscribe.history_queue", "1000",
     "Replays waiting for a history reader; beyond it, a resume is refused with close 4013.",
     value_type::integer, 1, 1'000'000},
    {"subscribe.history_timeout_ms", "60000",
     "Longest time one replay from Kafka may take (a subscriber that does not read its replay "
     "is disconnected with 4013).",
     value_type::integer, 1000, 3'600'000},
    {"subscribe.write_batch_bytes", "65536",
     "Most bytes of frames written to one subscriber in one WebSocket message (one frame a line).",
     value_type::integer, 1024, 16 * mib},
    {"subscribe.max_client_frame_bytes", "16384", "Largest frame a subscriber may send.",
     value_type::integer, 1024, 1 * mib},
    {"subscribe.refresh_notice_s", "60",
     "A refresh_due frame is sent this long before the token expires.", value_type::integer, 1,
     86400},
    {"subscribe.max_connections", "20000",
     "Subscriber connections at once; beyond it the upgrade is answered 503.", value_type::integer,
     1, 10'000'000},
    {"subscribe.allowed_origins", "",
     "Comma-separated origins (scheme://host:port) a browser may subscribe from besides the "
     "gateway's own; requests without Origin (not from a browser) are not checked."},
    {"dashboard.dir", "dashboard",
     "Folder of the dashboard's static files (served at /dashboard/)."},
    {"dashboard.districts_file", "deploy/config/districts/seoul-gu.geojson",
     "GeoJSON of the districts the dashboard's map draws (served as districts.geojson beside "
     "the page)."},
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    while (!item.empty() && item.back() == '/') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::span<const config::option> options() { return subscribe_options; }

expected<service_settings, std::string> make_service_settings(const config::settings& s) {
  service_settings c;
  auto size = [&](std::string_view key) { return static_cast<size_t>(s.integer(key)); };
  auto millis = [&](std::string_view key) { return std::chrono::milliseconds(s.integer(key)); };
  c.enabled = s.boolean("subscribe.enabled");
  c.streams.division_prefix = s.text("subscribe.topic.division_prefix");
  c.streams.cases_topic = s.text("subscribe.topic.cases");
  c.streams.limits.window_bytes = size("subscribe.window_bytes");
  c.streams.limits.queue_events = size("subscribe.queue_events");
  c.streams.limits.queue_bytes = size("subscribe.queue_bytes");
  c.streams.limits.max_open_cases = size("subscribe.max_open_cases");
  c.live.kafka = s.kafka_properties();
  c.live.prefill_records = s.integer("subscribe.prefill_records");
  c.live.metadata_refresh = millis("subscribe.metadata_refresh_ms");
  c.history.kafka = s.kafka_properties();
  c.history.readers = size("subscribe.history_readers");
  c.history.queue = size("subscribe.history_queue");
  c.history.timeout = millis("subscribe.history_timeout_ms");
  c.session.write_batch_bytes = size("subscribe.write_batch_bytes");
  c.session.max_client_frame_bytes = size("subscribe.max_client_frame_bytes");
  c.session.refresh_notice = std::chrono::seconds(s.integer("subscribe.refresh_notice_s"));
  c.max_connections = size("subscribe.max_connections");
  c.access.allowed_origins = split_list(s.text("subscribe.allowed_origins"));
  c.dashboard_dir = s.text("dashboard.dir");
  c.districts_file = s.text("dashboard.districts_file");
  if (c.streams.division_prefix.empty() || c.streams.cases_topic.empty()) {
    return unexpected(
        std::string("subscribe.topic.division_prefix and subscribe.topic.cases must be set"));
  }
  if (c.streams.limits.queue_bytes > c.streams.limits.window_bytes) {
    return unexpected(std::string(
        "subscribe.queue_bytes must not exceed subscribe.window_bytes: a subscriber's queue is "
        "the part of the window it has not read yet"));
  }
  return c;
}

service::service(service_settings s, civic::auth::jwt_verifier v, static_files files)
    : settings_(std::move(s)),
      verifier_(std::move(v)),
      dashboard_(std::move(files)),
      hub_(settings_.streams),
      context_{hub_, nullptr, verifier_, metrics_, settings_.session} {}

service::~service() {
  live_.reset();
  history_.reset();
}

expected<std::unique_ptr<service>, std::string> service::start(
    service_settings s, civic::auth::verifier_settings keys) {
  auto verifier = civic::auth::jwt_verifier::create(std::move(keys));
  if (!verifier) return unexpected("subscribe: " + verifier.error());
  std::map<std::string, std::string> extra;
  if (!s.districts_file.empty()) extra["districts.geojson"] = s.districts_file;
  auto files = static_files::load(s.dashboard_dir, extra);
  if (!files) return unexpected("dashboard: " + files.error());
  std::unique_ptr<service> svc(new service(std::move(s), std::move(*verifier), std::move(*files)));
  if (svc->settings_.history.readers > 0) {
    auto history = history_readers::start(svc->settings_.history);
    if (!history) return unexpected("subscribe: " + history.error());
    svc->history_ = std::move(*history);
    svc->context_.history = svc->history_.get();
  }
  auto live = live_reader::start(svc->settings_.live, svc->hub_);
  if (!live) return unexpected("subscribe: " + live.error());
  svc->live_ = std::move(*live);
  return svc;
}

void service::write_metrics(metrics::text_writer& w) const {
  metrics_.write(w, hub_, history_.get());
}

bool service::try_admit() {
  size_t n = connections_.fetch_add(1);
  if (n >= settings_.max_connections) {
    connections_.fetch_sub(1);
    return false;
  }
  return true;
}

void service::release() { connections_.fetch_sub(1); }

}  // namespace civic::gateway::subscribe
