#include "gateway/channels/channel.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace civic::gateway::channels {

response problem(unsigned status, std::string_view code, std::string_view detail) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("type");
  std::string type = "urn:civic-gateway:problem:" + std::string(code);
  w.String(type.c_str(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("status");
  w.Uint(status);
  w.Key("code");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("detail");
  w.String(detail.data(), static_cast<rapidjson::SizeType>(detail.size()));
  w.EndObject();
  return {status, "application/problem+json", {buffer.GetString(), buffer.GetSize()}, false};
}

response default_answer(const std::vector<ingest::outcome>& outcomes) {
  size_t stored = 0;
  for (const auto& o : outcomes) {
    if (!o.error) {
      ++stored;
    } else if (o.retryable) {
      // The channel redelivers the whole payload; the stored ones come again with
      // the same keys and are removed downstream as duplicates.
      auto answer = problem(503, "unavailable", "not every message could be stored; redeliver");
      answer.retry_later = true;
      return answer;
    }
  }
  // Messages refused for good (an empty text, ...) are counted, not redelivered.
  return {200, "application/json",
          "{\"stored\":" + std::to_string(stored) +
              ",\"rejected\":" + std::to_string(outcomes.size() - stored) + "}",
          false};
}

}  // namespace civic::gateway::channels
