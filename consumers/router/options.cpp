#include "consumers/router/options.hpp"

#include <vector>

#include "common/config/program.hpp"

namespace civic::router {
namespace {

using config::value_type;

constexpr config::option router_options[] = {
    {"router.rules", "deploy/config/rules/seoul.yaml",
     "Classification rules file (YAML, schemas/rules.v1.schema.json). Reloaded when it changes or "
     "on "
     "SIGHUP; a file with an error is refused and the rules in force stay."},
    {"router.model", "deploy/config/model/seoul-triage.head",
     "The sentence model's heads (router train-model writes them); its probabilities are combined "
     "with the rules' scores. Empty: the rules decide alone. The encoder comes from "
     "router.model_dir."},
    {"router.model_dir", "",
     "Folder of the multilingual encoder (use-m3.civicmodel, sp.model) that script/bootstrap "
     "fetches; empty: $CIVIC_CACHE_DIR/models/use-m3, by default "
     "~/.cache/civic-gateway/models/use-m3."},
    {"router.rules_check_ms", "2000",
     "How often (milliseconds) the rules file's modification time is checked; 0: only on SIGHUP.",
     value_type::integer, 0, 3'600'000},
    {"router.group_id", "router", "Kafka consumer group of the router instances."},
    {"router.transactional_id", "router-0",
     "Kafka transactional id, stable and unique per instance (a restarted instance fences its "
     "predecessor). Use e.g. the pod name."},
    {"router.topic.input", "feedback.unique",
     "Unique messages to route (envelope v1, header civic-case-id)."},
    {"router.topic.division_prefix", "division.",
     "Routed messages go to this prefix + the division id (division.water, division.triage, ...)."},
    {"router.topic.deadletter", "feedback.deadletter",
     "Records that cannot be read, with the reason."},
    {"router.max_input_bytes", "524288",
     "An input record larger than this (bytes) is not routed: it goes to the dead-letter topic "
     "with the "
     "reason (the record itself, or a reference to its topic, partition and offset when it is too "
     "large to "
     "copy).",
     value_type::integer, 1024, 100'000'000},
    {"router.max_output_bytes", "960000",
     "No record the router writes is larger than this (bytes, key + value + headers); a message "
     "whose routed "
     "record would be goes to the dead-letter topic instead. Keep it below the broker's "
     "message.max.bytes and "
     "the producer's (librdkafka: 1,000,000 bytes, which also counts header framing) and above "
     "router.max_input_bytes.",
     value_type::integer, 4096, 100'000'000},
    {"router.max_batch_records", "500", "Records per transaction at most.", value_type::integer, 1,
     100000},
    {"router.max_batch_wait_ms", "20",
     "How long a transaction waits to fill before it is committed anyway.", value_type::integer, 1,
     60000},
    {"router.stats_interval_s", "30", "Seconds between router.stats log lines.",
     value_type::integer, 1, 86400},
    {"router.ops_listen", "0.0.0.0:9100",
     "Where GET /healthz, /readyz and /metrics (Prometheus) are served, HOST:PORT (port 0: any "
     "free one, logged as ops.listening); empty: not served."},
    {"router.ready_stall_s", "60",
     "/readyz fails when records wait and no transaction committed for this many seconds.",
     value_type::integer, 1, 86400},
};

std::vector<config::option> all_options() { return config::with_common_options({router_options}); }

}  // namespace

std::span<const config::option> options() {
  static const std::vector<config::option> all = all_options();
  return all;
}

expected<service_config, std::string> make_service_config(const config::settings& s) {
  service_config c;
  c.rules_file = s.text("router.rules");
  c.model_file = s.text("router.model");
  c.model_dir = s.text("router.model_dir");
  c.rules_check_interval = std::chrono::milliseconds(s.integer("router.rules_check_ms"));
  c.group_id = s.text("router.group_id");
  c.transactional_id = s.text("router.transactional_id");
  c.names.input = s.text("router.topic.input");
  c.names.division_prefix = s.text("router.topic.division_prefix");
  c.names.deadletter = s.text("router.topic.deadletter");
  c.limits.max_input_bytes = static_cast<std::size_t>(s.integer("router.max_input_bytes"));
  c.limits.max_output_bytes = static_cast<std::size_t>(s.integer("router.max_output_bytes"));
  if (c.limits.max_input_bytes >= c.limits.max_output_bytes)
    return unexpected(
        std::string("router.max_input_bytes must be below router.max_output_bytes (a routed record "
                    "holds the input and its classification)"));
  c.max_batch_records = static_cast<std::size_t>(s.integer("router.max_batch_records"));
  c.max_batch_wait = std::chrono::milliseconds(s.integer("router.max_batch_wait_ms"));
  c.stats_interval = std::chrono::seconds(s.integer("router.stats_interval_s"));
  c.ops_listen = s.text("router.ops_listen");
  c.ready_stall = std::chrono::seconds(s.integer("router.ready_stall_s"));
  if (c.group_id.empty()) return unexpected(std::string("router.group_id must not be empty"));
  if (c.transactional_id.empty())
    return unexpected(std::string("router.transactional_id must not be empty"));
  if (c.names.input.empty() || c.names.deadletter.empty())
    return unexpected(
        std::string("router.topic.input and router.topic.deadletter must not be empty"));
  return c;
}

}  // namespace civic::router
