#include "gateway/subscribe/hub.hpp"

#include <algorithm>

#include "common/log/log.hpp"
#include "gateway/subscribe/frames.hpp"

namespace civic::gateway::subscribe {

hub::hub(hub_settings s) : settings_(std::move(s)) {}

std::vector<std::shared_ptr<stream>> hub::all_streams() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<stream>> out;
  out.reserve(streams_.size());
  for (const auto& [name, s] : streams_) out.push_back(s);
  return out;
}

void hub::set_case_partitions(size_t n) {
  std::vector<std::shared_ptr<stream>> streams;
  {
    std::lock_guard lock(mutex_);
    case_partitions_ = std::max(case_partitions_, n);
  }
  for (auto& s : all_streams()) s->set_case_partitions(n);
}

void hub::add_division(const std::string& division, size_t partitions) {
  std::shared_ptr<stream> s;
  size_t cases = 0;
  {
    std::lock_guard lock(mutex_);
    auto& slot = streams_[division];
    if (!slot) {
      std::string topic = settings_.division_prefix + division;
      slot = std::make_shared<stream>(division, topic, stream_id(topic, settings_.cases_topic),
                                      settings_.limits);
    }
    s = slot;
    cases = case_partitions_;
  }
  s->set_division_partitions(partitions);
  s->set_case_partitions(cases);
}

void hub::start_partition(const std::string* division, int32_t partition, int64_t next) {
  if (division) {
    if (auto s = find(*division)) s->start_partition(source::division, partition, next);
    return;
  }
  for (auto& s : all_streams()) s->start_partition(source::cases, partition, next);
}

void hub::division_record(const std::string& division, int32_t partition, int64_t offset,
                          int64_t timestamp_ms, std::string_view key, std::string_view value) {
  auto s = find(division);
  if (!s) return;
  records_.fetch_add(1, std::memory_order_relaxed);
  uint32_t anchor = record_anchor(timestamp_ms, key);
  auto compact = compact_json_object(value);
  if (!compact) {
    unreadable_.fetch_add(1, std::memory_order_relaxed);
    log::warn("subscribe.record_unreadable", {{"topic", s->topic()},
                                              {"partition", partition},
                                              {"offset", offset},
                                              {"detail", compact.error()}});
    s->pass(source::division, partition, offset, anchor);
    return;
  }
  s->append_message(*compact, partition, offset, anchor);
}

void hub::case_record(int32_t partition, int64_t offset, int64_t timestamp_ms, std::string_view key,
                      std::string_view value) {
  records_.fetch_add(1, std::memory_order_relaxed);
  uint32_t anchor = record_anchor(timestamp_ms, key);
  auto streams = all_streams();
  auto pass_all = [&] {
    for (auto& s : streams) s->pass(source::cases, partition, offset, anchor);
  };
  if (value.empty()) return pass_all();
  auto compact = compact_json_object(value);
  auto summary = compact ? read_case_summary(*compact)
                         : expected<case_summary, std::string>(unexpected(compact.error()));
  if (!summary) {
    unreadable_.fetch_add(1, std::memory_order_relaxed);
    log::warn("subscribe.record_unreadable", {{"topic", settings_.cases_topic},
                                              {"partition", partition},
                                              {"offset", offset},
                                              {"detail", summary.error()}});
    return pass_all();
  }
  std::shared_ptr<const std::string> frame;
  if (summary->open) frame = std::make_shared<const std::string>(snapshot_case_frame(*compact));
  for (auto& s : streams) {
    const auto& d = summary->divisions;
    if (std::find(d.begin(), d.end(), s->division()) != d.end()) {
      s->append_case(*compact, partition, offset, anchor, summary->id, frame);
    } else {
      s->pass(source::cases, partition, offset, anchor);
    }
  }
}

void hub::sweep() {
  for (auto& s : all_streams()) s->sweep();
}

std::shared_ptr<stream> hub::find(std::string_view division) const {
  std::lock_guard lock(mutex_);
  auto found = streams_.find(division);
  return found == streams_.end() ? nullptr : found->second;
}

std::vector<std::string> hub::divisions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, s] : streams_) out.push_back(name);
  return out;
}

hub::stats hub::snapshot_stats() const {
  stats out;
  out.records = records_.load(std::memory_order_relaxed);
  out.unreadable = unreadable_.load(std::memory_order_relaxed);
  for (auto& s : all_streams()) {
    size_t n = s->subscribers();
    out.subscribers += n;
    out.subscribers_by_division[s->division()] = n;
    out.window_bytes += s->window_bytes();
    out.window_events += s->window_events();
    out.open_cases += s->open_cases();
  }
  return out;
}

}  // namespace civic::gateway::subscribe
