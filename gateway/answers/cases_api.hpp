#pragma once
// The answer loop's HTTP endpoints, free of Beast (the session hands over a
// channels::request and gets one channels::response back, at once or once
// Kafka has the record):
//
//   POST /v1/cases/{id}/updates   a division's status change, answer or
//                                 reassignment (staff JWT, Idempotency-Key)
//   POST /v1/cases/{id}/support   a citizen backs a case (the website's JWT,
//                                 granting channel web)
//   GET  /open311/v2/requests/{id}.json, /open311/v2/requests.json,
//        /open311/v2/servicerequestupdates.json   (when Open311 is enabled)
//
// Errors are RFC 9457 problem+json (Open311's own [{code, description}] on
// the Open311 paths).

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/auth/jwt.hpp"
#include "common/envelope/envelope.hpp"
#include "gateway/answers/case_api.hpp"
#include "gateway/answers/case_directory.hpp"
#include "gateway/channels/channel.hpp"
#include "gateway/channels/support/open311_ids.hpp"
#include "gateway/ingest/publisher.hpp"

namespace civic::gateway::answers {

struct cases_api_settings {
  std::string responses_topic = "feedback.responses";
  std::string author_key;  // derives update ids and supporters' pseudonyms; a secret
  size_t idempotency_entries = 10000;
};

class cases_api {
 public:
  // `verifier` null: the POST endpoints answer 503 (no token key configured).
  // `open311` nullopt: the Open311 look-ups are not served here.
  cases_api(cases_api_settings settings, const case_directory& directory,
            ingest::publisher& publisher, const auth::jwt_verifier* verifier,
            std::optional<channels::open311_ids> open311);

  bool serves(std::string_view method, std::string_view path) const;
  // `done` is called exactly once (from the producer's thread after Kafka's answer).
  void handle(const channels::request& req, std::function<void(channels::response)> done);

  std::string render_metrics() const;

  // A message that is a support reply for a known case ("공감 3C4D5E6F"), as the
  // support record to store instead of the message; nullopt for any other.
  std::optional<kafka::record> support_from_reply(const envelope::message& m);

 private:
  void update(std::string case_id, const channels::request& req,
              std::function<void(channels::response)> done);
  void support(std::string case_id, const channels::request& req,
               std::function<void(channels::response)> done);
  channels::response open311_lookup(const channels::request& req) const;
  expected<auth::claims, channels::response> authenticate(const channels::request& req) const;
  std::optional<channels::response> find_case(const std::string& id,
                                              std::optional<case_summary>& out) const;

  enum outcome { accepted, repeated, refused, unavailable, count };
  cases_api_settings settings_;
  const case_directory& directory_;
  ingest::publisher& publisher_;
  const auth::jwt_verifier* verifier_;
  std::optional<channels::open311_ids> open311_;
  std::shared_ptr<idempotency_cache> cache_;
  std::array<std::atomic<uint64_t>, count> updates_{};
  std::array<std::atomic<uint64_t>, count> supports_{};
  std::atomic<uint64_t> support_replies_{0};
};

}  // namespace civic::gateway::answers
