#pragma once
// The case lifecycle API without HTTP: what POST /v1/cases/{id}/updates and
// POST /v1/cases/{id}/support accept, who may make them, and the
// feedback.responses records they become. Handlers only map the errors here
// to RFC 9457 answers and publish the record.
//
//   updates: {"status": "in_progress", "answer": {"text": "...", "language": "ko"},
//             "assign_to": ["water"], "expected_at": "2026-11-25T18:00:00+09:00",
//             "notify": true}      at least one of status, answer, assign_to
//   support: {"supporter": "<the citizen's account on the website>"}

#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/auth/jwt.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "common/responses/response.hpp"
#include "gateway/answers/case_directory.hpp"
#include "gateway/answers/division_list.hpp"

namespace civic::gateway::answers {

// A refusal: its error (common/error/errc.hpp gives the HTTP status) and the field at fault.
using api_error = field_error;

struct update_request {
  std::optional<responses::case_status> status;
  std::optional<responses::answer_text> answer;
  std::vector<std::string> assign_to;
  std::optional<std::string> expected_at;
  bool notify = true;
};

expected<update_request, api_error> parse_update_request(std::string_view body);

// A reassignment names only divisions the city has (invalid_value at
// /assign_to); without a division list (nullptr: gateway.answers.rules could
// not be read) no reassignment is taken (bad_config).
std::optional<api_error> check_assign_to(const update_request& request,
                                         const division_list* divisions);

// 1 to 255 visible ASCII characters (the Idempotency-Key header).
std::optional<api_error> check_idempotency_key(std::optional<std::string_view> key);

// Only staff of a division the case belongs to may update it (or move it to
// another division). The update id is derived from the case, the person and
// their Idempotency-Key, so a repeat is the same update downstream.
expected<responses::response, api_error> make_update(const case_summary& c, const auth::claims& who,
                                                     const update_request& request,
                                                     std::string_view idempotency_key,
                                                     std::string_view id_secret,
                                                     std::chrono::system_clock::time_point now);

struct support_request {
  std::string supporter;  // the website's account id for the citizen; only its HMAC goes on
};
expected<support_request, api_error> parse_support_request(std::string_view body);

// The kind of case that gathers support (envelope::feedback_kind::idea, as the
// case record names it: the channel's kind or the rules' kind.idea.* rules).
inline constexpr std::string_view supportable_kind = "idea";

// `supporter_id` is the pseudonym (the same HMAC the envelope's author_id uses).
// Only an idea gathers support: any other case is refused with not_an_idea.
expected<responses::response, api_error> make_support(const case_summary& c,
                                                      std::string supporter_id, std::string channel,
                                                      std::chrono::system_clock::time_point now);

// The answers' bodies once Kafka has the record.
std::string update_accepted_json(const responses::response& r, const case_summary& c,
                                 int32_t partition, int64_t offset);
std::string support_accepted_json(const responses::response& r, int32_t partition, int64_t offset);

// "A repeat returns the first result": the answers given for recent
// Idempotency-Keys, per gateway instance (another instance derives the same
// update id, so downstream the repeat changes nothing either way). Bounded.
class idempotency_cache {
 public:
  explicit idempotency_cache(size_t capacity) : capacity_(capacity) {}
  struct entry {
    std::string request_hash;  // a repeat with another body is refused (422)
    unsigned status;
    std::string body;
  };
  std::optional<entry> find(const std::string& key) const;
  void put(const std::string& key, entry e);

  // A repeat that arrives while the first request with its key is still being
  // stored waits for the first one's answer (nullopt: the first was not stored,
  // send again); it is not stored a second time.
  using waiter = std::function<void(const std::optional<entry>&)>;
  enum class start { first, waiting, repeat, other_body };
  struct started {
    start kind;
    std::optional<entry> done;  // for repeat: the first result
  };
  // first: the caller stores the request and then calls finish or abandon.
  started begin(const std::string& key, const std::string& request_hash, waiter on_first_answer);
  void finish(const std::string& key, entry e);
  void abandon(const std::string& key);

 private:
  struct in_flight {
    std::string request_hash;
    std::vector<waiter> waiters;
  };
  void put_locked(const std::string& key, entry e);
  std::vector<waiter> take_waiters_locked(const std::string& key);  // and forgets the key

  size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::pair<entry, std::list<std::string>::iterator>> entries_;
  std::unordered_map<std::string, in_flight> in_flight_;  // bounded by requests in flight
};

// The cache key and request hash of an update (person, case, key) and its body.
std::string update_cache_key(std::string_view actor, std::string_view case_id,
                             std::string_view idempotency_key);
std::string request_hash(std::string_view body);

}  // namespace civic::gateway::answers
