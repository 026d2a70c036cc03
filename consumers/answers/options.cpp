#include "consumers/answers/options.hpp"

#include <sstream>

#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

using config::value_type;

constexpr config::option service_options[] = {
    {"answers.reply_token.private_keys", "",
     "Reply-token private keys, kid:base64url, comma-separated: the current one and any older "
     "one whose tokens may still be in the topics (`answers keygen KID` makes a pair; the "
     "gateway gets the public half). Required; a secret."},
    {"answers.group_id", "answers", "Kafka consumer group of the answers instances."},
    {"answers.transactional_id", "answers-0",
     "Kafka transactional id of this instance's case step, stable and unique per instance."},
    {"answers.ledger_transactional_prefix", "answers-ledger-",
     "Prefix of the delivery workers' transactional ids (one per partition, whichever instance "
     "holds it: a new owner fences the old one)."},
    {"answers.topic.unique", "feedback.unique", "Reports with their case id (the recipients)."},
    {"answers.topic.responses", "feedback.responses", "Updates and threshold events to tell."},
    {"answers.topic.work", "answers.work",
     "Internal: reports' reply tokens and updates re-keyed by case id."},
    {"answers.topic.changelog", "answers.changelog",
     "Internal, compacted: each case's recipients (same partition count as the work topic)."},
    {"answers.topic.ledger", "answers.ledger",
     "Internal, compacted: the delivery ledger, one entry per (update, recipient) (same "
     "partition count)."},
    {"answers.topic.deliveries", "feedback.deliveries",
     "Delivery outcomes and per-update summaries, for the dashboard and dedup."},
    {"answers.topic.deadletter", "feedback.deadletter", "Records that cannot be read, with why."},
    {"answers.max_recipients_per_case", "10000",
     "Citizens answered per case at most (the first ones to report).", value_type::integer, 1,
     1'000'000},
    {"answers.case_retention_days", "90",
     "A case's recipients are forgotten after this many days without a report or an update.",
     value_type::integer, 1, 3650},
    {"answers.max_attempts", "6",
     "Requests per delivery at most while the channel answers 429, 5xx or nothing; then it is "
     "recorded failed.",
     value_type::integer, 1, 100},
    {"answers.first_backoff_ms", "1000",
     "Wait before the second request; doubled each time (a Retry-After the channel gives wins).",
     value_type::integer, 10, 600'000},
    {"answers.max_retry_wait_s", "300", "Longest wait between two requests, Retry-After included.",
     value_type::integer, 1, 86400},
    {"answers.summary_interval_ms", "3000",
     "A delivery summary for the dashboard at most this often while an update is being "
     "delivered (and always when its last recipient has an outcome).",
     value_type::integer, 100, 3'600'000},
    {"answers.retry_unconfirmed", "",
     "Channels (comma-separated) whose interrupted or unanswered requests are sent again "
     "although the channel cannot recognise a repeat: the citizen may get a second copy. "
     "Default: none (such a delivery is recorded unconfirmed)."},
    {"answers.http_connect_timeout_ms", "5000", "Connecting to a channel's API at most.",
     value_type::integer, 100, 120'000},
    {"answers.http_timeout_ms", "15000", "A whole request to a channel's API at most.",
     value_type::integer, 100, 300'000},
    {"answers.max_batch_records", "500", "Records per case-step transaction at most.",
     value_type::integer, 1, 100000},
    {"answers.max_batch_wait_ms", "50", "How long a case-step batch may wait to fill.",
     value_type::integer, 1, 60000},
    {"answers.stats_interval_s", "60", "Seconds between answers.stats log lines.",
     value_type::integer, 1, 86400},
    {"answers.ops_listen", "0.0.0.0:9100",
     "Where GET /healthz, /readyz and /metrics (Prometheus) are served, HOST:PORT (port 0: any "
     "free one, logged as ops.listening); empty: not served."},
    {"answers.ready_stall_s", "60",
     "/readyz fails when records wait and no case-step transaction committed for this many "
     "seconds.",
     value_type::integer, 1, 86400},
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::span<const config::option> options() {
  static const std::vector<config::option> all = [] {
    std::vector<config::option> v(std::begin(service_options), std::end(service_options));
    for (const auto& client : registered_clients()) {
      v.insert(v.end(), client.options.begin(), client.options.end());
    }
    for (const auto& o : config::common_options()) v.push_back(o);
    return v;
  }();
  return all;
}

expected<service_config, std::string> make_service_config(const config::settings& s) {
  service_config c;
  for (const auto& key : split(s.text("answers.reply_token.private_keys"))) {
    auto named = crypto::parse_named_key(key);
    if (!named) return unexpected("answers.reply_token.private_keys: " + named.error());
    c.private_keys.push_back(std::move(*named));
  }
  if (c.private_keys.empty()) {
    return unexpected(std::string(
        "answers.reply_token.private_keys (env ANSWERS_REPLY_TOKEN_PRIVATE_KEYS) is required: "
        "without it no citizen's address can be read"));
  }
  c.group_id = s.text("answers.group_id");
  c.transactional_id = s.text("answers.transactional_id");
  c.ledger_transactional_prefix = s.text("answers.ledger_transactional_prefix");
  if (c.group_id.empty() || c.transactional_id.empty() || c.ledger_transactional_prefix.empty()) {
    return unexpected(
        std::string("answers.group_id, answers.transactional_id and "
                    "answers.ledger_transactional_prefix must not be empty"));
  }
  c.names.unique = s.text("answers.topic.unique");
  c.names.responses = s.text("answers.topic.responses");
  c.names.work = s.text("answers.topic.work");
  c.names.changelog = s.text("answers.topic.changelog");
  c.names.ledger = s.text("answers.topic.ledger");
  c.names.deliveries = s.text("answers.topic.deliveries");
  c.names.deadletter = s.text("answers.topic.deadletter");
  c.cases.max_recipients_per_case =
      static_cast<size_t>(s.integer("answers.max_recipients_per_case"));
  c.cases.retention_ms = s.integer("answers.case_retention_days") * 24 * 3600 * 1000;
  c.delivery = make_delivery_settings(s);
  c.max_batch_records = static_cast<size_t>(s.integer("answers.max_batch_records"));
  c.max_batch_wait = std::chrono::milliseconds(s.integer("answers.max_batch_wait_ms"));
  c.stats_interval = std::chrono::seconds(s.integer("answers.stats_interval_s"));
  c.ops_listen = s.text("answers.ops_listen");
  c.ready_stall = std::chrono::seconds(s.integer("answers.ready_stall_s"));
  return c;
}

delivery_settings make_delivery_settings(const config::settings& s) {
  delivery_settings d;
  d.max_attempts = static_cast<int>(s.integer("answers.max_attempts"));
  d.first_backoff = std::chrono::milliseconds(s.integer("answers.first_backoff_ms"));
  d.max_retry_wait = std::chrono::seconds(s.integer("answers.max_retry_wait_s"));
  d.summary_interval = std::chrono::milliseconds(s.integer("answers.summary_interval_ms"));
  for (const auto& channel : split(s.text("answers.retry_unconfirmed"))) {
    d.retry_unconfirmed.insert(channel);
  }
  d.http.connect_timeout = std::chrono::milliseconds(s.integer("answers.http_connect_timeout_ms"));
  d.http.total_timeout = std::chrono::milliseconds(s.integer("answers.http_timeout_ms"));
  return d;
}

}  // namespace civic::answers
