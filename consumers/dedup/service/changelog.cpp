#include "consumers/dedup/service/changelog.hpp"

#include <unordered_map>

#include "common/kafka/compacted_reader.hpp"
#include "common/log/log.hpp"
#include "consumers/dedup/case_json.hpp"

namespace civic::dedup {

expected<std::map<int32_t, std::vector<case_state>>, std::string> read_changelog(
    const kafka::properties& kafka, const std::string& topic,
    const std::vector<int32_t>& partitions, std::chrono::milliseconds timeout) {
  // Latest value per case id, per partition. A closed case (empty value or a
  // tombstone) is forgotten at once, so the reader holds open cases only.
  std::map<int32_t, std::unordered_map<std::string, std::string>> latest;
  auto failure = kafka::read_compacted(
      kafka, topic, partitions, timeout,
      [&](int32_t partition, std::string_view key, std::optional<std::string_view> value) {
        if (!value || value->empty()) {
          latest[partition].erase(std::string(key));
        } else {
          latest[partition].insert_or_assign(std::string(key), std::string(*value));
        }
      });
  if (failure) return unexpected("changelog " + std::move(*failure));

  std::map<int32_t, std::vector<case_state>> restored;
  for (int32_t p : partitions) {
    auto& cases = restored[p];
    for (auto& [id, value] : latest[p]) {
      auto state = state_from_json(value);
      if (!state) {
        log::warn("dedup.changelog.unreadable", {{"partition", p}, {"reason", state.error()}});
        continue;
      }
      cases.push_back(std::move(*state));
    }
  }
  return restored;
}

}  // namespace civic::dedup
