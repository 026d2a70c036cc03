#pragma once
// The answer loop's HTTP endpoints (routes added by add_routes):
//
//   POST /v1/cases/{id}/updates   a division's status change, answer or
//                                 reassignment (staff JWT, Idempotency-Key)
//   POST /v1/cases/{id}/support   a citizen backs a case (the website's bridge
//                                 credential, API key or JWT, naming channel web)
//   GET  /open311/v2/requests/{id}.json, /open311/v2/requests.json,
//        /open311/v2/servicerequestupdates.json   (when Open311 is enabled)
//
// Errors are RFC 9457 problem+json from the one error table (Open311's own
// [{code, description}] on the Open311 paths). Records go to feedback.responses
// before the 202.

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/auth/jwt.hpp"
#include "common/envelope/envelope.hpp"
#include "common/kafka/record.hpp"
#include "common/metrics/prometheus_text.hpp"
#include "gateway/answers/case_api.hpp"
#include "gateway/answers/case_directory.hpp"
#include "gateway/channels/support/open311_ids.hpp"
#include "gateway/http/message.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ingest/publisher.hpp"

namespace civic::gateway::auth {
class bridge_authenticator;
}

namespace civic::gateway::answers {

struct cases_api_settings {
  std::string responses_topic = "feedback.responses";
  std::string author_key;  // derives update ids and supporters' pseudonyms; a secret
  size_t idempotency_entries = 10000;
  // What assign_to may name (the routing rules' divisions); nullopt: none is taken.
  std::optional<division_list> divisions;
};

class cases_api {
 public:
  // `verifier` null: the updates endpoint answers 503 (no token key configured).
  // `bridges`: who may send support (the same credentials as /v1/messages).
  // `open311` nullopt: the Open311 look-ups are not served here.
  cases_api(cases_api_settings settings, const case_directory& directory,
            ingest::publisher& publisher, const civic::auth::jwt_verifier* verifier,
            const auth::bridge_authenticator& bridges,
            std::optional<channels::open311_ids> open311);

  void update(const http::request& req, http::responder answer);
  void support(const http::request& req, http::responder answer);
  // GET requests/{id}.json, requests.json, servicerequestupdates.json; nullopt
  // for any other path.
  std::optional<http::response> open311_lookup(const http::request& req) const;
  bool serves_open311() const { return open311_.has_value(); }

  // A message that is a support reply for a known idea case ("공감 3C4D5E6F"), as
  // the support record to store instead of the message; nullopt for any other
  // (also for a case that is not an idea: the message stays a message).
  std::optional<kafka::record> support_from_reply(const envelope::message& m);

  void write_metrics(metrics::text_writer& w) const;

 private:
  // A JSON request with a staff token: the token's claims, or the refusal.
  expected<civic::auth::claims, http::response> authenticate_json(const http::request& req) const;
  std::optional<http::response> find_case(std::string_view id,
                                          std::optional<case_summary>& out) const;

  enum outcome { accepted, repeated, refused, unavailable, count };
  cases_api_settings settings_;
  const case_directory& directory_;
  ingest::publisher& publisher_;
  const civic::auth::jwt_verifier* verifier_;
  const auth::bridge_authenticator& bridges_;
  std::optional<channels::open311_ids> open311_;
  std::shared_ptr<idempotency_cache> cache_;
  std::array<std::atomic<uint64_t>, count> updates_{};
  std::array<std::atomic<uint64_t>, count> supports_{};
  std::atomic<uint64_t> support_replies_{0};
  std::atomic<uint64_t> support_replies_kept_{0};  // for a case that is not an idea
};

// Registers the endpoints; call before the channels' routes (the Open311
// look-ups are more specific than /open311/v2/*).
void add_routes(http::routes& r, cases_api& api);

}  // namespace civic::gateway::answers
