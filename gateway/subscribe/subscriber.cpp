#include "gateway/subscribe/subscriber.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "common/error/errc.hpp"
#include "common/error/field_error.hpp"
#include "common/json/parse.hpp"
#include "gateway/subscribe/frames.hpp"

namespace civic::gateway::subscribe {
namespace {

constexpr size_t max_id_chars = 64;
constexpr size_t max_token_chars = 8192;

struct client_frame {
  std::string type, id, division, from, fallback, token;
};

// A position that could not be resumed: the subscription says so, why, and what it
// gives instead (none: from now; snapshot).
void mark_unrecovered(subscribed_info& info, std::optional<std::string> reason,
                      std::string_view replay) {
  if (!reason) return;
  info.from = "position";
  info.recovered = false;
  info.reason = std::move(*reason);
  info.replay = replay;
}

// Reads a client frame; on error, the field and why.
expected<client_frame, field_error> parse_client_frame(std::string_view text) {
  rapidjson::Document doc;
  json::parse_checking_utf8(doc, text);
  if (doc.HasParseError()) {
    return unexpected(field_error{errc::malformed_json, "", "the frame is not JSON"});
  }
  if (!doc.IsObject()) {
    return unexpected(field_error{errc::wrong_type, "", "a frame is a JSON object"});
  }
  client_frame f;
  // Const: comparing two non-const member iterators is ambiguous in C++20 (clang).
  const rapidjson::Value& members = doc;
  std::vector<std::string> seen;  // at most the six names below: an unknown one ends the loop
  for (const auto& m : members.GetObject()) {
    std::string name(m.name.GetString(), m.name.GetStringLength());
    std::string pointer = "/" + name;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return unexpected(field_error{errc::duplicate_field, pointer, "appears more than once"});
    }
    seen.push_back(name);
    std::string* target = nullptr;
    size_t limit = 256;
    if (name == "type") {
      target = &f.type;
    } else if (name == "id") {
      target = &f.id;
      limit = max_id_chars;
    } else if (name == "division") {
      target = &f.division;
      limit = 64;
    } else if (name == "from") {
      target = &f.from;
      limit = 4096;
    } else if (name == "fallback") {
      target = &f.fallback;
    } else if (name == "token") {
      target = &f.token;
      limit = max_token_chars;
    } else {
      return unexpected(field_error{errc::unknown_field, pointer, "no such member"});
    }
    if (!m.value.IsString()) {
      return unexpected(field_error{errc::wrong_type, pointer, "must be a string"});
    }
    if (m.value.GetStringLength() > limit) {
      return unexpected(
          field_error{errc::too_long, pointer, "at most " + std::to_string(limit) + " characters"});
    }
    target->assign(m.value.GetString(), m.value.GetStringLength());
  }
  if (f.type.empty()) return unexpected(field_error{errc::missing_field, "/type", "is required"});
  return f;
}

not_recovered_reason reason_code(const std::string& reason) {
  if (reason == "position_older_than_retention") return not_recovered_reason::older_than_retention;
  if (reason == "topic_recreated") return not_recovered_reason::topic_recreated;
  if (reason == "stream_mismatch") return not_recovered_reason::stream_mismatch;
  return not_recovered_reason::other;
}

}  // namespace

subscriber::subscriber(subscribe_context& ctx, civic::auth::claims who, subscriber_waker waker)
    : ctx_(ctx), who_(std::move(who)), waker_(std::move(waker)) {
  if (!waker_.dispatch) waker_.dispatch = waker_.post;
  ctx_.metrics.connection_opened();
}

subscriber::subscriber(subscribe_context& ctx, civic::auth::claims who,
                       std::function<void()> notify)
    : subscriber(ctx, std::move(who), subscriber_waker{std::move(notify), {}, {}}) {}

subscriber::~subscriber() {
  stop();
  ctx_.metrics.connection_closed();
}

void subscriber::wake() noexcept {
  woken_.store(true, std::memory_order_release);
  waker_.post();
}

bool subscriber::wake_batch(batch& links) noexcept {
  if (!waker_.post_io) return false;
  waker_.post_io([links = std::move(links)] {
    for (const auto& l : links) l->wake_here();
  });
  return true;
}

void subscriber::wake_here() noexcept {
  woken_.store(true, std::memory_order_release);
  waker_.dispatch();
}

void subscriber::start() {
  std::vector<std::string> granted;
  auto known = ctx_.streams.divisions();
  for (const auto& d : known) {
    if (who_.grants_division(d)) granted.push_back(d);
  }
  control(welcome_frame(who_.sub, who_.role, granted, who_.exp, known));
}

void subscriber::control(std::string frame) { control_.push_back(std::move(frame)); }

void subscriber::fail_request(std::string_view id, std::error_code code, std::string message,
                              std::string pointer, bool retryable) {
  control(error_frame(id, code, message, pointer, retryable));
}

void subscriber::close_with(int code, std::string_view reason, bool reconnect,
                            disconnect_reason why) {
  if (close_) return;
  control(
      disconnect_frame(code, reason, has_position_ ? last_position() : std::string(), reconnect));
  close_ = close_instruction{code, std::string(reason)};
  phase_ = phase::closing;
  ctx_.metrics.disconnected(why);
  stop();
}

std::string subscriber::last_position() const {
  return has_position_ ? encode_position(last_) : std::string();
}

subscriber::clock::time_point subscriber::next_deadline() const {
  if (close_) return clock::time_point::max();
  if (!refresh_notice_sent_) return who_.exp - ctx_.settings.refresh_notice;
  return ends_at();
}

// The token's exp and the clock skew the verifier allowed at the upgrade: a
// token accepted within that skew is not ended the moment its welcome is sent.
subscriber::clock::time_point subscriber::ends_at() const {
  return who_.exp + ctx_.verifier.leeway();
}

void subscriber::tick(clock::time_point now) {
  if (close_) return;
  if (now >= ends_at()) {
    ctx_.metrics.refused(auth_refusal::expired);
    return close_with(close_code::expired, "credential_expired", false, disconnect_reason::expired);
  }
  if (!refresh_notice_sent_ && now >= who_.exp - ctx_.settings.refresh_notice) {
    refresh_notice_sent_ = true;
    control(refresh_due_frame(who_.exp));
  }
}

void subscriber::shutdown() {
  close_with(1001, "shutting_down", true, disconnect_reason::shutdown);
}

void subscriber::on_frame(std::string_view text, clock::time_point now) {
  if (close_) return;
  if (text.size() > ctx_.settings.max_client_frame_bytes) {
    fail_request("", errc::too_large,
                 "a client frame is at most " +
                     std::to_string(ctx_.settings.max_client_frame_bytes) + " bytes",
                 "");
    return close_with(close_code::bad_request, "bad_request", false, disconnect_reason::protocol);
  }
  auto f = parse_client_frame(text);
  if (!f) {
    fail_request("", f.error().code, f.error().message, f.error().pointer);
    return close_with(close_code::bad_request, "bad_request", false, disconnect_reason::protocol);
  }
  if (f->type == "subscribe") {
    return subscribe(std::move(f->id), std::move(f->division), std::move(f->from),
                     std::move(f->fallback));
  }
  if (f->type == "refresh") return refresh(std::move(f->id), std::move(f->token), now);
  fail_request(f->id, errc::invalid_value, "type must be subscribe or refresh", "/type");
}

void subscriber::refresh(std::string id, std::string token, clock::time_point now) {
  if (token.empty()) return fail_request(id, errc::missing_field, "is required", "/token");
  auto c = ctx_.verifier.verify(token, now);
  if (!c) {
    ctx_.metrics.refused(c.error().code == errc::credential_expired ? auth_refusal::expired
                                                                    : auth_refusal::invalid);
    return fail_request(id, c.error().code, c.error().detail, "/token");
  }
  if (c->sub != who_.sub) {
    ctx_.metrics.refused(auth_refusal::invalid);
    return fail_request(id, errc::invalid_credential,
                        "a refreshed token must be for the same subject", "/token");
  }
  if (!division_.empty() && !c->grants_division(division_)) {
    ctx_.metrics.refused(auth_refusal::forbidden);
    fail_request(id, errc::forbidden, "the new token does not grant division " + division_,
                 "/token");
    return close_with(close_code::forbidden, "forbidden", false, disconnect_reason::protocol);
  }
  who_ = std::move(*c);
  refresh_notice_sent_ = false;
  control(refreshed_frame(id, who_.exp));
}

void subscriber::subscribe(std::string id, std::string division, std::string from,
                           std::string fallback) {
  if (phase_ != phase::idle) {
    return fail_request(id, errc::invalid_value,
                        "one subscription per connection; open another connection for another "
                        "division",
                        "/type");
  }
  if (division.empty()) return fail_request(id, errc::missing_field, "is required", "/division");
  if (from.empty()) return fail_request(id, errc::missing_field, "is required", "/from");
  if (fallback.empty()) fallback = "snapshot";
  if (fallback != "snapshot" && fallback != "now") {
    return fail_request(id, errc::invalid_value, "must be snapshot or now", "/fallback");
  }
  if (!who_.grants_division(division)) {
    ctx_.metrics.refused(auth_refusal::forbidden);
    return fail_request(id, errc::forbidden, "the token does not grant division " + division,
                        "/division");
  }
  auto s = ctx_.streams.find(division);
  if (!s) {
    return fail_request(
        id, errc::invalid_value,
        "no such division: no topic " + ctx_.streams.settings().division_prefix + division,
        "/division");
  }
  if (!s->ready() || (from == "snapshot" && !ctx_.streams.cases_loaded())) {
    return fail_request(id, errc::unavailable,
                        "the gateway is still reading this division's topics; try again shortly",
                        "", true);
  }
  std::optional<position> at;
  if (from != "now" && from != "snapshot") {
    auto p = decode_position(from);
    if (!p) {
      return fail_request(
          id, errc::invalid_value,
          "must be now, snapshot or a position this service gave (" + p.error() + ")", "/from");
    }
    at = std::move(*p);
  }
  request_id_ = std::move(id);
  division_ = std::move(division);
  fallback_ = std::move(fallback);
  stream_ = std::move(s);
  if (!at) {
    ctx_.metrics.subscribed(from);
    return from == "now" ? start_now(std::nullopt) : start_snapshot(std::nullopt);
  }
  ctx_.metrics.subscribed("position");
  try_join(*at, true);
}

// A subscription that starts now, from=now or a position that could not be
// resumed (`unrecovered_reason` says why).
void subscriber::start_now(std::optional<std::string> unrecovered_reason) {
  position at;
  seat_ = stream_->attach_now(weak_from_this(), at);
  last_ = at;
  has_position_ = true;
  subscribed_info info{request_id_, division_, "now", encode_position(at), {}, {}, {}, {}};
  mark_unrecovered(info, std::move(unrecovered_reason), "none");
  control(subscribed_frame(info));
  control(live_frame(request_id_, info.position, 0));
  phase_ = phase::live;
}

// A subscription that starts with the division's open cases, then live.
void subscriber::start_snapshot(std::optional<std::string> unrecovered_reason) {
  auto snap = stream_->attach_snapshot(weak_from_this());
  seat_ = snap.seat;
  last_ = snap.at;
  has_position_ = true;
  snapshot_cases_ = std::move(snap.cases);
  snapshot_next_ = 0;
  subscribed_info info{request_id_, division_, "snapshot", encode_position(snap.at),
                       {},          {},        {},         snapshot_cases_.size()};
  mark_unrecovered(info, std::move(unrecovered_reason), "snapshot");
  control(subscribed_frame(info));
  phase_ = phase::snapshot;
}

void subscriber::not_recovered(const std::string& reason) {
  ctx_.metrics.resumed(resume_outcome::not_recovered);
  ctx_.metrics.not_recovered(reason_code(reason));
  replay_.reset();
  if (fallback_ == "now") return start_now(reason);
  start_snapshot(reason);
}

void subscriber::try_join(const position& from, bool first) {
  // After a read from Kafka (not first), what is still ahead of the stream was checked there.
  auto joined = stream_->attach_from(weak_from_this(), from, !first);
  using outcome = stream::join_result::outcome;
  if (joined.result == outcome::mismatch) return not_recovered(joined.reason);
  if (joined.result == outcome::joined) {
    seat_ = joined.seat;
    replay_until_ = joined.head_seq;
    last_ = from;
    has_position_ = true;
    if (first) {
      ctx_.metrics.resumed(resume_outcome::memory);
      subscribed_info info{request_id_, division_, "position", encode_position(from),
                           true,        {},        "memory",   {}};
      control(subscribed_frame(info));
    }
    phase_ = phase::window;
    return;
  }
  // Older than the window: read the missing ranges back from Kafka.
  if (!ctx_.history || ++join_attempts_ > ctx_.settings.max_join_attempts) {
    if (first) return not_recovered("position_older_than_retention");
    ctx_.metrics.history_failed();
    return close_with(close_code::try_again, "try_again", true, disconnect_reason::try_later);
  }
  last_ = from;
  has_position_ = true;
  replay_ = std::make_shared<history_sink>(weak_from_this(), ctx_.settings.replay_events,
                                           ctx_.settings.replay_bytes);
  replay_announced_ = !first;
  history_request req{
      division_, stream_->topic(), ctx_.streams.settings().cases_topic, std::move(joined.ranges),
      from,      replay_};
  if (!ctx_.history->submit(std::move(req))) {
    replay_.reset();
    fail_request(request_id_, errc::overloaded, "too many replays waiting; try again shortly", "",
                 true);
    return close_with(close_code::try_again, "try_again", true, disconnect_reason::try_later);
  }
  phase_ = phase::replay_kafka;
}

void subscriber::take_replay(output& out) {
  switch (replay_->status()) {
    case history_sink::state::verifying:
      return;
    case history_sink::state::failed:
      if (!replay_announced_) return not_recovered(replay_->reason());
      ctx_.metrics.history_failed();
      return close_with(close_code::try_again, "try_again", true, disconnect_reason::try_later);
    case history_sink::state::streaming:
    case history_sink::state::done:
      break;
  }
  if (!replay_announced_) {
    replay_announced_ = true;
    ctx_.metrics.resumed(resume_outcome::kafka);
    subscribed_info info{request_id_, division_, "position", encode_position(last_),
                         true,        {},        "kafka",    {}};
    held_strings_.push_back(subscribed_frame(info));
    out.frames.push_back(held_strings_.back());
  }
  auto events = replay_->take(ctx_.settings.write_batch_bytes);
  for (auto& e : events) {
    out.frames.push_back(e->frame);
    ++out.events;
    out.event_bytes += e->frame.size();
    last_ = e->after;
    held_events_.push_back(std::move(e));
  }
  replayed_ += events.size();
  if (events.empty() && replay_->status() == history_sink::state::done) {
    position reached = replay_->reached();
    replay_.reset();
    last_ = reached;
    try_join(reached, false);
  }
}

void subscriber::take_stream(output& out) {
  // One take an output: the views point into it (the next call takes more).
  if (!taken_.items.empty()) return;
  // Cleared before the take: a wake-up for what comes after it is never lost.
  bool woken = woken_.exchange(false, std::memory_order_acq_rel);
  if (parked_ && !woken) return;
  auto& got = taken_;
  stream_->take(seat_, ctx_.settings.write_batch_bytes, got);
  parked_ = got.parked;
  if (got.slow) {
    return close_with(close_code::slow, "slow", true, disconnect_reason::slow);
  }
  for (auto& item : got.items) {
    out.frames.push_back(item.frame());
    ++out.events;
    out.event_bytes += item.frame().size();
  }
  if (!got.items.empty()) std::swap(last_, got.last);
  if (phase_ == phase::window) {
    replayed_ += got.items.size();
    if (got.cursor > replay_until_) {
      phase_ = phase::live;
      held_strings_.push_back(live_frame(request_id_, encode_position(last_), replayed_));
      out.frames.push_back(held_strings_.back());
    }
  }
}

const subscriber::output& subscriber::next() {
  held_strings_.clear();
  held_events_.clear();
  taken_.items.clear();
  held_frames_.clear();
  output& out = out_;
  out.frames.clear();
  out.events = out.event_bytes = 0;
  out.close.reset();
  auto drain_control = [&] {
    while (!control_.empty()) {
      held_strings_.push_back(std::move(control_.front()));
      control_.pop_front();
      out.frames.push_back(held_strings_.back());
    }
  };
  drain_control();
  // A phase may end inside this call (a replay joins the window, a resume falls
  // back to the snapshot): go on with the next phase rather than wait for a wake
  // that would not come.
  for (int step = 0; step < 4 && !close_; ++step) {
    phase before = phase_;
    size_t frames_before = out.frames.size();
    switch (phase_) {
      case phase::idle:
      case phase::closing:
        break;
      case phase::snapshot: {
        size_t bytes = 0;
        while (snapshot_next_ < snapshot_cases_.size() &&
               (bytes == 0 || bytes < ctx_.settings.write_batch_bytes)) {
          auto& frame = snapshot_cases_[snapshot_next_++];
          bytes += frame->size();
          out.frames.push_back(*frame);
          held_frames_.push_back(std::move(frame));
        }
        if (snapshot_next_ == snapshot_cases_.size()) {
          size_t sent = snapshot_next_;
          snapshot_cases_.clear();
          snapshot_next_ = 0;
          phase_ = phase::live;
          held_strings_.push_back(live_frame(request_id_, encode_position(last_), sent));
          out.frames.push_back(held_strings_.back());
        }
        break;
      }
      case phase::replay_kafka:
        take_replay(out);
        break;
      case phase::window:
      case phase::live:
        take_stream(out);
        break;
    }
    drain_control();
    if (phase_ == before || out.frames.size() - frames_before >= 64) break;
  }
  if (close_) {
    drain_control();
    out.close = close_;
  }
  return out;
}

bool subscriber::check_slow() {
  if (close_) return true;
  if ((phase_ == phase::live || phase_ == phase::window) && stream_ && seat_ &&
      stream_->is_slow(seat_)) {
    close_with(close_code::slow, "slow", true, disconnect_reason::slow);
  }
  return close_.has_value();
}

void subscriber::stop() {
  if (stream_ && seat_) stream_->detach(seat_);
  seat_ = 0;
  if (replay_) replay_->cancel();
}

}  // namespace civic::gateway::subscribe
