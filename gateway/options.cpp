#include "gateway/options.hpp"

#include <thread>
#include <vector>

#include "common/auth/auth_options.hpp"
#include "common/config/program.hpp"
#include "gateway/auth/settings.hpp"
#include "gateway/channels/registry.hpp"
#include "gateway/open/options.hpp"
#include "gateway/subscribe/service.hpp"

namespace civic::gateway {
namespace {

using config::value_type;

constexpr int64_t mib = 1024 * 1024;

constexpr config::option gateway_options[] = {
    {"gateway.listen", "0.0.0.0:8080", "Address and port for HTTP and WebSocket (host:port)."},
    {"gateway.threads", "0", "I/O threads; 0 means one per core.", value_type::integer, 0, 256},
    {"gateway.topic", "feedback.ingested", "Kafka topic accepted messages are published to."},
    {"gateway.author_key", "",
     "Secret HMAC key that turns authors' handles into pseudonyms. Required. Keep it stable: "
     "changing it changes every pseudonym."},
    {"gateway.reply_token.public_key", "",
     "The answers service's reply-token public key, kid:base64url (`answers keygen` makes a "
     "pair). Where to answer each citizen is sealed with it into the envelope; empty: no "
     "envelope carries a reply reference and no citizen can be answered."},
    {"gateway.max_message_bytes", "65536",
     "Largest message (one frame, one body or one NDJSON line).", value_type::integer, 256,
     16 * mib},
    {"gateway.max_json_depth", "8", "Deepest nesting of arrays and objects in a message.",
     value_type::integer, 2, 64},
    {"gateway.max_text_chars", "8000", "Longest text, in Unicode characters (at most 8000).",
     value_type::integer, 1, 8000},
    {"gateway.max_body_bytes", "4194304",
     "Largest HTTP body; also the largest WebSocket frame read.", value_type::integer, 1024,
     256 * mib},
    {"gateway.max_batch_messages", "1000", "Most messages in one NDJSON batch.",
     value_type::integer, 1, 100000},
    {"gateway.in_flight_budget_bytes", "268435456",
     "Bytes of messages read and not yet answered, across all connections. When full, "
     "WebSockets stop being read and HTTP answers 503 overloaded.",
     value_type::integer, 1024, 64 * 1024 * mib},
    {"gateway.ws.max_in_flight", "256",
     "Messages one WebSocket may have unanswered; beyond it the socket is not read.",
     value_type::integer, 1, 100000},
    {"gateway.ws.coalesce_writes", "true",
     "Answer frames of one WebSocket that are ready together are written in one system call "
     "(false: one write each; for comparing the two in a benchmark).",
     value_type::boolean},
    {"gateway.ws.burst_reports", "true",
     "Kafka's delivery reports reach a WebSocket's strand in bursts, one wake-up for all that "
     "arrived meanwhile (false: one wake-up each; for comparing the two in a benchmark).",
     value_type::boolean},
    {"gateway.ws.idle_timeout_ms", "120000",
     "A WebSocket from which nothing (not even a pong) arrives this long is closed.",
     value_type::integer, 1000, 86400000},
    {"gateway.http.max_header_section_bytes", "61440",
     "Largest request header section (request line and every header); beyond it, 431.",
     value_type::integer, 1024, 1024 * 1024},
    {"gateway.http.max_header_bytes", "8192",
     "Largest single request header (name and value); beyond it, 431.", value_type::integer, 256,
     1024 * 1024},
    {"gateway.http.max_headers", "100", "Most request headers; beyond them, 431.",
     value_type::integer, 8, 10000},
    {"gateway.http.read_timeout_ms", "30000",
     "Time allowed to send a whole HTTP request, and to read a response; idle keep-alive "
     "connections are closed after it.",
     value_type::integer, 100, 3600000},
    {"gateway.http.lingering_close_ms", "2000",
     "After a connection's last response (a refused request whose body is still coming), "
     "the longest the gateway reads and drops what the client sends before closing, so that "
     "the response is not lost to a TCP reset (RFC 9112 section 9.6). 0: close at once.",
     value_type::integer, 0, 60000},
    {"gateway.http.lingering_close_bytes", "8388608",
     "The most bytes read and dropped in a lingering close.", value_type::integer, 0, 1024 * mib},
    {"gateway.shutdown_timeout_ms", "35000",
     "On SIGTERM, how long in-flight messages may take to be acked or nacked. Keep it above "
     "kafka.message.timeout.ms.",
     value_type::integer, 100, 3600000},
    {"gateway.kafka_check_interval_ms", "1000",
     "How often Kafka's reachability is checked for /readyz and for refusing new messages.",
     value_type::integer, 100, 60000},
    {"gateway.tls.certificate_file", "", "PEM certificate chain; with the key, serves TLS only."},
    {"gateway.tls.private_key_file", "", "PEM private key for gateway.tls.certificate_file."},
    {"gateway.answers.enabled", "true",
     "Serve the case lifecycle API (POST /v1/cases/{id}/updates and /support) and Open311 "
     "status from the cases; needs an auth.jwt.* key.",
     value_type::boolean},
    {"gateway.answers.cases_topic", "feedback.cases",
     "The cases the API and Open311 answer from (read in full at the start, then live)."},
    {"gateway.answers.responses_topic", "feedback.responses",
     "Where updates and support go (keyed by case id)."},
    {"gateway.answers.rules", "deploy/config/rules/seoul.yaml",
     "The routing rules file (the router's router.rules): its divisions, and triage, are what "
     "assign_to may name. Read at the start; unreadable: every reassignment is refused."},
    {"channels.rate_per_second", "200",
     "Webhook requests a second one channel may make (token bucket); beyond it, 429 "
     "rate_limited.",
     value_type::integer, 0, 1000000},
    {"channels.burst", "400", "Webhook requests one channel may make at once.", value_type::integer,
     1, 1000000},
    {"channels.client_rate_per_second", "20",
     "Webhook requests a second one client address may make; beyond it, 429.", value_type::integer,
     0, 1000000},
    {"channels.client_burst", "40", "Webhook requests one client address may make at once.",
     value_type::integer, 1, 1000000},
};

}  // namespace

std::span<const config::option> options() {
  static const std::vector<config::option> all = config::with_common_options(
      {gateway_options, auth::bridge_auth_options(), civic::auth::auth_options(),
       channels::channel_options(), subscribe::options(), open::options()});
  return all;
}

expected<gateway_config, std::string> make_gateway_config(const config::settings& s) {
  gateway_config c;
  auto size = [&](std::string_view key) { return static_cast<size_t>(s.integer(key)); };
  auto millis = [&](std::string_view key) { return std::chrono::milliseconds(s.integer(key)); };

  c.author_key = s.text("gateway.author_key");
  if (c.author_key.size() < 16) {
    return unexpected(std::string(
        "gateway.author_key (env GATEWAY_AUTHOR_KEY) must be set to a secret of at least 16 "
        "characters"));
  }
  if (const std::string& key = s.text("gateway.reply_token.public_key"); !key.empty()) {
    auto named = crypto::parse_named_key(key);
    if (!named) return unexpected("gateway.reply_token.public_key: " + named.error());
    auto sealer = crypto::reply_sealer::create({named->kid, named->key});
    if (!sealer) return unexpected("gateway.reply_token.public_key: " + sealer.error());
    c.reply_sealer = std::move(*sealer);
  }
  c.server.listen = s.text("gateway.listen");
  c.server.threads = static_cast<int>(s.integer("gateway.threads"));
  if (c.server.threads == 0)
    c.server.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.ingest.ws_max_in_flight = size("gateway.ws.max_in_flight");
  c.server.ws_idle_timeout = millis("gateway.ws.idle_timeout_ms");
  c.server.ws_coalesce_writes = s.boolean("gateway.ws.coalesce_writes");
  c.ingest.ws_burst_reports = s.boolean("gateway.ws.burst_reports");
  c.server.http_read_timeout = millis("gateway.http.read_timeout_ms");
  c.server.lingering_close_timeout = millis("gateway.http.lingering_close_ms");
  c.server.lingering_close_bytes = size("gateway.http.lingering_close_bytes");
  c.server.max_body_bytes = size("gateway.max_body_bytes");
  c.ingest.max_batch_messages = size("gateway.max_batch_messages");
  c.server.max_header_section_bytes = size("gateway.http.max_header_section_bytes");
  c.server.max_header_bytes = size("gateway.http.max_header_bytes");
  c.server.max_headers = size("gateway.http.max_headers");
  c.server.tls_certificate_file = s.text("gateway.tls.certificate_file");
  c.server.tls_private_key_file = s.text("gateway.tls.private_key_file");
  c.server.shutdown_timeout = millis("gateway.shutdown_timeout_ms");

  c.limits.max_message_bytes = size("gateway.max_message_bytes");
  c.limits.max_depth = size("gateway.max_json_depth");
  c.limits.max_text_chars = size("gateway.max_text_chars");

  c.publisher.topic = s.text("gateway.topic");
  c.publisher.health_interval = millis("gateway.kafka_check_interval_ms");
  c.in_flight_budget_bytes = size("gateway.in_flight_budget_bytes");
  c.channel_rate = {static_cast<double>(s.integer("channels.rate_per_second")),
                    static_cast<double>(s.integer("channels.burst"))};
  c.client_rate = {static_cast<double>(s.integer("channels.client_rate_per_second")),
                   static_cast<double>(s.integer("channels.client_burst"))};

  if (c.in_flight_budget_bytes < c.server.max_body_bytes ||
      c.in_flight_budget_bytes < c.limits.max_message_bytes) {
    return unexpected(
        std::string("gateway.in_flight_budget_bytes must be at least gateway.max_body_bytes and "
                    "gateway.max_message_bytes, or such a request could never be taken"));
  }
  return c;
}

}  // namespace civic::gateway
