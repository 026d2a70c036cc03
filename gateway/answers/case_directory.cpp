#include "gateway/answers/case_directory.hpp"

#include <rapidjson/document.h>

#include <array>
#include <mutex>
#include <set>

#include "common/json/record_reader.hpp"
#include "common/kafka/handles.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/log/log.hpp"
#include "common/responses/case_reference.hpp"

namespace civic::gateway::answers {
namespace {

const rapidjson::Value* member(const rapidjson::Value& o, const char* name) {
  auto m = o.FindMember(name);
  return m == o.MemberEnd() ? nullptr : &m->value;
}

std::string text_or(const rapidjson::Value& o, const char* name, std::string fallback = {}) {
  const auto* v = member(o, name);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : fallback;
}

}  // namespace

expected<case_summary, std::string> summary_from_case_json(std::string_view json) {
  rapidjson::Document doc;
  if (!json::parse_object(json, doc)) return unexpected(std::string("not a JSON object"));
  case_summary c;
  c.id = text_or(doc, "id");
  if (c.id.empty()) return unexpected(std::string("no id"));
  const auto* divisions = member(doc, "divisions");
  if (!divisions || !divisions->IsArray() || divisions->Empty()) {
    return unexpected(std::string("no divisions"));
  }
  for (const auto& d : divisions->GetArray()) {
    if (d.IsString()) c.divisions.emplace_back(d.GetString(), d.GetStringLength());
  }
  c.locality = text_or(doc, "district", "citywide");
  c.kind = text_or(doc, "kind", "complaint");
  c.first_seen = text_or(doc, "first_seen");
  if (const auto* life = member(doc, "lifecycle"); life && life->IsObject()) {
    if (auto s = responses::parse_status(text_or(*life, "status"))) c.status = *s;
    c.updated_at = text_or(*life, "updated_at");
    if (auto e = text_or(*life, "expected_at"); !e.empty()) c.expected_at = e;
    if (const auto* a = member(*life, "answer"); a && a->IsObject()) c.answer = text_or(*a, "text");
    if (const auto* h = member(*life, "history"); h && h->IsArray()) {
      for (const auto& entry : h->GetArray()) {
        if (!entry.IsObject()) continue;
        case_update_note n{text_or(entry, "update_id"), responses::case_status::received,
                           text_or(entry, "at"), text_or(entry, "note")};
        if (auto s = responses::parse_status(text_or(entry, "status"))) n.status = *s;
        c.history.push_back(std::move(n));
      }
    }
  }
  if (const auto* support = member(doc, "support"); support && support->IsObject()) {
    if (const auto* n = member(*support, "count"); n && n->IsUint64()) {
      c.support_count = n->GetUint64();
    }
  }
  if (const auto* requests = member(doc, "service_requests"); requests && requests->IsArray()) {
    for (const auto& r : requests->GetArray()) {
      if (r.IsObject()) c.requests.push_back({text_or(r, "id"), text_or(r, "requested_at")});
    }
  }
  // Only Open311 shows notes and history: other cases keep what authorisation needs.
  if (c.requests.empty()) {
    c.answer.clear();
    c.history.clear();
  }
  return c;
}

struct case_directory::kafka_state {
  kafka::client_handle consumer;
  std::set<int32_t> unfinished;  // partitions not yet read to their end once
};

case_directory::case_directory() = default;

case_directory::~case_directory() {
  stopping_.store(true);
  if (reader_.joinable()) reader_.join();
}

expected<std::unique_ptr<case_directory>, std::string> case_directory::start(settings s) {
  auto dir = std::make_unique<case_directory>();
  dir->settings_ = std::move(s);
  kafka::properties props = dir->settings_.kafka;
  props.insert(props.end(), {{"group.id", "gateway-case-directory"},
                             {"isolation.level", "read_committed"},
                             {"enable.partition.eof", "true"},
                             {"enable.auto.commit", "false"},
                             {"auto.offset.reset", "earliest"}});
  auto conf = kafka::make_conf(props);
  if (!conf) return unexpected("case directory: " + conf.error());
  kafka::route_librdkafka_logs(conf->get());
  std::array<char, 512> errstr{};
  dir->kafka_ = std::make_unique<kafka_state>();
  dir->kafka_->consumer.reset(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr.data(), errstr.size()));
  if (!dir->kafka_->consumer) return unexpected(std::string("case directory: ") + errstr.data());
  conf->release();
  dir->reader_ = std::thread([d = dir.get()] { d->run(); });
  return dir;
}

void case_directory::run() {
  rd_kafka_t* consumer = kafka_->consumer.get();
  // The partition count may not be known at the start (a broker down): ask again.
  while (!stopping_.load()) {
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer, settings_.topic.c_str(), nullptr);
    auto err = rd_kafka_metadata(consumer, 0, topic, &metadata, 5000);
    int partitions = 0;
    if (!err && metadata->topic_cnt == 1 && !metadata->topics[0].err) {
      partitions = metadata->topics[0].partition_cnt;
    }
    if (metadata) rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(topic);
    if (partitions > 0) {
      kafka::partition_list_handle list(rd_kafka_topic_partition_list_new(partitions));
      for (int32_t p = 0; p < partitions; ++p) {
        rd_kafka_topic_partition_list_add(list.get(), settings_.topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
        kafka_->unfinished.insert(p);
      }
      rd_kafka_assign(consumer, list.get());
      break;
    }
    log::warn("gateway.case_directory.waiting", {{"topic", settings_.topic}});
    for (int i = 0; i < 20 && !stopping_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  while (!stopping_.load()) {
    kafka::message_handle msg(rd_kafka_consumer_poll(consumer, 200));
    if (!msg) continue;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (kafka_->unfinished.erase(msg->partition) && kafka_->unfinished.empty()) {
        caught_up_.store(true);
        log::info("gateway.case_directory.caught_up", {{"cases", size()}});
      }
      continue;
    }
    if (msg->err) {
      log::warn("gateway.case_directory.error", {{"error", rd_kafka_message_errstr(msg.get())}});
      continue;
    }
    std::string_view key(static_cast<const char*>(msg->key), msg->key_len);
    std::optional<std::string_view> value;
    if (msg->payload) value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    apply(key, value);
  }
  rd_kafka_assign(consumer, nullptr);
  rd_kafka_consumer_close(consumer);
}

void case_directory::apply(std::string_view key, std::optional<std::string_view> value) {
  if (settings_.observer) settings_.observer(key, value);
  std::unique_lock lock(mutex_);
  std::string id(key);
  if (auto old = cases_.find(id); old != cases_.end()) {
    for (const auto& r : old->second.requests) by_request_.erase(r.id);
    auto [first, last] = by_reference_.equal_range(responses::case_reference(id));
    for (auto it = first; it != last; ++it) {
      if (it->second == id) {
        by_reference_.erase(it);
        break;
      }
    }
  }
  if (!value) {
    cases_.erase(id);
    return;
  }
  auto summary = summary_from_case_json(*value);
  if (!summary) {
    log::warn("gateway.case_directory.unreadable", {{"reason", summary.error()}});
    return;
  }
  for (const auto& r : summary->requests) by_request_[r.id] = id;
  by_reference_.emplace(responses::case_reference(id), id);
  cases_[id] = std::move(*summary);
}

std::optional<case_summary> case_directory::find(const std::string& case_id) const {
  std::shared_lock lock(mutex_);
  auto found = cases_.find(case_id);
  if (found == cases_.end()) return std::nullopt;
  return found->second;
}

std::optional<case_summary> case_directory::find_by_request(
    const std::string& service_request_id) const {
  std::shared_lock lock(mutex_);
  auto found = by_request_.find(service_request_id);
  if (found == by_request_.end()) return std::nullopt;
  auto c = cases_.find(found->second);
  if (c == cases_.end()) return std::nullopt;
  return c->second;
}

std::vector<case_summary> case_directory::find_by_reference(const std::string& reference) const {
  std::shared_lock lock(mutex_);
  std::vector<case_summary> out;
  auto [first, last] = by_reference_.equal_range(reference);
  for (auto it = first; it != last; ++it) {
    if (auto c = cases_.find(it->second); c != cases_.end()) out.push_back(c->second);
  }
  return out;
}

std::vector<std::pair<open311_request, case_summary>> case_directory::requests() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<open311_request, case_summary>> out;
  for (const auto& [request_id, case_id] : by_request_) {
    auto c = cases_.find(case_id);
    if (c == cases_.end()) continue;
    for (const auto& r : c->second.requests) {
      if (r.id == request_id) out.emplace_back(r, c->second);
    }
  }
  return out;
}

size_t case_directory::size() const {
  std::shared_lock lock(mutex_);
  return cases_.size();
}

}  // namespace civic::gateway::answers
