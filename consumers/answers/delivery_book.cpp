#include "consumers/answers/delivery_book.hpp"

#include "common/log/log.hpp"
#include "common/responses/delivery.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::answers {
namespace {

// A reply handle is worthless after a few minutes (LINE: about one); remembering
// who spent theirs for half an hour is plenty.
constexpr int64_t spent_memory_ms = 30LL * 60 * 1000;

std::string recipient_of(const ledger_entry& e) { return e.case_id + "/" + e.recipient; }

}  // namespace

void delivery_book::apply(std::string_view key_view, std::optional<std::string_view> value,
                          int64_t now_ms) {
  std::string key(key_view);
  if (!value) {
    auto found = open_.find(key);
    if (found != open_.end()) {
      queue_.erase(found->second.first);
      open_.erase(found);
    }
    return;
  }
  auto parsed = ledger_entry_from_json(*value);
  if (!parsed) {
    ++counters_.unreadable;
    log::warn("answers.ledger.unreadable", {{"reason", parsed.error()}});
    return;
  }
  ledger_entry& e = *parsed;
  if (finished_locally_.contains(key)) {
    // This worker's own writes coming back: the job is done here already.
    if (e.state == job_state::done) finished_locally_.erase(key);
    return;
  }
  if (e.mode == "reply" && e.state != job_state::pending) spend_handle(e, now_ms);
  auto found = open_.find(key);
  if (e.state == job_state::done) {
    if (found != open_.end()) {
      queue_.erase(found->second.first);
      open_.erase(found);
    }
    count_done(e);
    return;
  }
  auto [counts, created] = updates_.try_emplace(e.update_id);
  if (created) {
    counts->second.case_id = e.case_id;
    counts->second.locality = e.locality;
    counts->second.recipients = e.recipients;
  }
  if (found != open_.end()) {
    found->second.second = std::move(e);
  } else {
    uint64_t sequence = next_sequence_++;
    queue_[sequence] = key;
    open_.emplace(key, std::make_pair(sequence, std::move(e)));
  }
}

void delivery_book::restored() {
  restoring_ = false;
  std::set<std::string> outstanding;
  for (const auto& [key, entry] : open_) outstanding.insert(entry.second.update_id);
  std::erase_if(updates_, [&](const auto& u) { return !outstanding.contains(u.first); });
}

std::optional<ledger_entry> delivery_book::next() const {
  if (queue_.empty()) return std::nullopt;
  return open_.at(queue_.begin()->second).second;
}

bool delivery_book::handle_usable(const ledger_entry& e) const {
  return !spent_handles_.contains(recipient_of(e));
}

void delivery_book::attempting(const ledger_entry& e, int64_t now_ms) {
  if (e.mode == "reply") spend_handle(e, now_ms);
}

void delivery_book::spend_handle(const ledger_entry& e, int64_t at_ms) {
  std::string who = recipient_of(e);
  spent_handles_[who] = at_ms;
  spent_order_.emplace_back(at_ms, who);
  while (!spent_order_.empty() && spent_order_.front().first < at_ms - spent_memory_ms) {
    auto [when, old] = spent_order_.front();
    spent_order_.pop_front();
    auto found = spent_handles_.find(old);
    if (found != spent_handles_.end() && found->second == when) spent_handles_.erase(found);
  }
}

void delivery_book::count_done(const ledger_entry& e) {
  auto& u = updates_[e.update_id];
  if (u.case_id.empty()) {
    u.case_id = e.case_id;
    u.locality = e.locality;
    u.recipients = e.recipients;
  }
  ++u.done;
  ++u.by_channel[e.channel][std::string(responses::to_string(*e.outcome))];
}

std::vector<kafka::record> delivery_book::finish(const ledger_entry& done, const topics& names,
                                                 int32_t partition,
                                                 std::chrono::steady_clock::time_point now) {
  std::string key = ledger_key(done.update_id, done.recipient);
  if (auto found = open_.find(key); found != open_.end()) {
    queue_.erase(found->second.first);
    open_.erase(found);
  }
  finished_locally_.insert(key);
  ++counters_.finished;
  count_done(done);

  std::vector<kafka::record> out;
  out.push_back({names.ledger, key, to_json(done), {}, partition});
  responses::delivery_outcome_record o{
      done.update_id, done.case_id,  done.locality, done.finished_at, done.recipient,
      done.channel,   *done.outcome, done.mode,     done.detail,      done.attempts};
  out.push_back({names.deliveries,
                 done.case_id,
                 responses::to_json(o),
                 {{"content-type", "application/json"}},
                 -1});

  auto& u = updates_[done.update_id];
  bool complete = u.done >= u.recipients;
  bool due = complete || !u.last_summary || now - *u.last_summary >= summary_interval_;
  if (due) {
    responses::delivery_summary s;
    s.update_id = done.update_id;
    s.case_id = u.case_id;
    s.locality = u.locality;
    s.at = done.finished_at;
    s.recipients = u.recipients;
    s.complete = complete;
    for (const auto& [channel, counts] : u.by_channel) {
      s.by_channel[channel] = counts;
      for (const auto& [outcome, n] : counts) s.outcomes[outcome] += n;
    }
    out.push_back({names.deliveries,
                   done.case_id,
                   responses::to_json(s),
                   {{"content-type", "application/json"}},
                   -1});
    u.last_summary = now;
  }
  if (complete) updates_.erase(done.update_id);
  return out;
}

}  // namespace civic::answers
