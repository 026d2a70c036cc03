// Open311 has no push: a 311 app polls GET requests/{id}.json (and FixMyStreet's
// servicerequestupdates.json), which the gateway answers from the case. An
// Open311 reporter's outcome is therefore "published" as soon as the update is
// folded into the case; nothing is sent.
#include "consumers/answers/channels/channel_client.hpp"

namespace civic::answers {
namespace {

constexpr config::option options[] = {
    {"answers.open311.enabled", "true",
     "Count Open311 reporters as answered once the update is on the case (Open311 has no push).",
     config::value_type::boolean},
};

class open311_client final : public channel_client {
 public:
  std::string_view channel() const override { return "open311"; }
  double rate_per_second() const override { return 0; }
  bool repeat_safe(std::string_view) const override { return true; }
  plan choose(const delivery_job&) const override {
    return {"status", send_result{send_verdict::published, "shown on GET requests/{id}.json",
                                  std::nullopt, "status"}};
  }
  send_result send(const delivery_job&, http_client&) const override {
    return {send_verdict::published, "", std::nullopt, "status"};
  }
};

const bool registered = register_client(
    {"open311", options,
     [](const config::settings&) -> expected<std::unique_ptr<channel_client>, std::string> {
       return std::unique_ptr<channel_client>(new open311_client());
     }});

}  // namespace
}  // namespace civic::answers
