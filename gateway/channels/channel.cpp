#include "gateway/channels/channel.hpp"

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"

namespace civic::gateway::channels {

response default_answer(const std::vector<ingest::outcome>& outcomes) {
  size_t stored = 0;
  for (const auto& o : outcomes) {
    if (!o.error) {
      ++stored;
    } else if (o.retryable()) {
      // The channel redelivers the whole payload; the stored ones come again with
      // the same keys and are removed downstream as duplicates.
      return http::problem(o.error->code, "not every message could be stored; redeliver");
    }
  }
  // Messages refused for good (an empty text, ...) are counted, not redelivered.
  return http::json(200, "{\"stored\":" + std::to_string(stored) +
                             ",\"rejected\":" + std::to_string(outcomes.size() - stored) + "}");
}

}  // namespace civic::gateway::channels
