// One delivery from its ledger entry to its outcome, with a scripted channel
// client (no HTTP): what each of the channel's answers leads to, which states
// are committed on the way, and what an interruption means for a channel that
// recognises repeats and one that does not.

#include "consumers/answers/delivery.hpp"

#include <doctest/doctest.h>

#include <deque>

using namespace civic;
using namespace civic::answers;
using responses::delivery_outcome;

namespace {

class scripted_client final : public channel_client {
 public:
  scripted_client(std::string name, bool repeat_safe)
      : name_(std::move(name)), safe_(repeat_safe) {}
  std::string_view channel() const override { return name_; }
  double rate_per_second() const override { return 0; }
  bool repeat_safe(std::string_view) const override { return safe_; }
  plan choose(const delivery_job& job) const override {
    seen_interrupted = job.interrupted_mode;
    if (decide) return {"text", decide};
    return {"text", std::nullopt};
  }
  send_result send(const delivery_job& job, http_client&) const override {
    keys.push_back(job.idempotency_key);
    if (answers.empty()) return {send_verdict::delivered, "", std::nullopt, ""};
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
  mutable std::deque<send_result> answers;
  mutable std::vector<std::string> keys;
  mutable std::string seen_interrupted;
  std::optional<send_result> decide;

 private:
  std::string name_;
  bool safe_;
};

struct harness {
  crypto::key_pair keys = *crypto::generate_reply_key_pair("t");
  std::unique_ptr<crypto::reply_opener> opener =
      std::move(*crypto::reply_opener::create({{keys.kid, keys.private_key}}));
  std::unique_ptr<crypto::reply_sealer> sealer =
      std::move(*crypto::reply_sealer::create({keys.kid, keys.public_key}));
  delivery_settings settings;
  http_client http{http_settings{}};
  std::vector<ledger_entry> recorded;
  std::vector<std::chrono::milliseconds> waits;

  harness() { settings.max_attempts = 3; }

  ledger_entry entry(std::string channel) {
    ledger_entry e;
    e.update_id = "upd-1";
    e.case_id = "case-1";
    e.recipient = std::string(32, 'a');
    e.channel = channel;
    e.token = *sealer->seal({channel, "511223344", "", "", "", 0});
    e.message.text = "처리 완료";
    return e;
  }

  delivery_result run(const channel_client* client, ledger_entry e) {
    delivery_context ctx;
    ctx.client = client;
    ctx.http = &http;
    ctx.settings = &settings;
    ctx.opener = opener.get();
    ctx.record = [this](const ledger_entry& x) {
      recorded.push_back(x);
      return std::error_code();
    };
    ctx.sleep = [this](std::chrono::milliseconds w) { waits.push_back(w); };
    return deliver(std::move(e), ctx);
  }

  std::vector<job_state> states() const {
    std::vector<job_state> out;
    for (const auto& e : recorded) out.push_back(e.state);
    return out;
  }
};

}  // namespace

TEST_CASE("the attempt is committed before the request, and a refusal for now back to pending") {
  harness h;
  scripted_client client("telegram", false);
  client.answers = {{send_verdict::retry, "HTTP 429", std::chrono::milliseconds(1500), ""},
                    {send_verdict::retry, "HTTP 500", std::nullopt, ""}};
  auto r = h.run(&client, h.entry("telegram"));
  REQUIRE(r.finished);
  CHECK(r.entry.state == job_state::done);
  CHECK(r.entry.outcome == delivery_outcome::delivered);
  CHECK(r.entry.attempts == 3);
  CHECK(h.states() == std::vector<job_state>{job_state::attempting, job_state::pending,
                                             job_state::attempting, job_state::pending,
                                             job_state::attempting});
  CHECK(h.waits[0] == std::chrono::milliseconds(1500));  // Retry-After wins
  CHECK(h.waits[1] == std::chrono::milliseconds(2000));  // else 1 s doubled
  // Every request of one (update, recipient) carries the same idempotency key.
  CHECK(client.keys.size() == 3);
  CHECK(client.keys[0] == client.keys[2]);
  CHECK(client.keys[0] == idempotency_key("upd-1", std::string(32, 'a')));
}

TEST_CASE("retries end: after max_attempts the delivery is recorded failed with the reason") {
  harness h;
  scripted_client client("telegram", false);
  client.answers = {{send_verdict::retry, "HTTP 503", std::nullopt, ""},
                    {send_verdict::retry, "HTTP 503", std::nullopt, ""},
                    {send_verdict::retry, "HTTP 503", std::nullopt, ""}};
  auto r = h.run(&client, h.entry("telegram"));
  CHECK(r.entry.outcome == delivery_outcome::failed);
  CHECK(r.entry.detail == "gave up after 3 requests: HTTP 503");
}

TEST_CASE("no answer: repeated where the channel recognises a repeat, else unconfirmed") {
  harness h;
  scripted_client telegram("telegram", false);
  telegram.answers = {
      {send_verdict::ambiguous, "no answer: Timeout was reached", std::nullopt, ""}};
  auto r = h.run(&telegram, h.entry("telegram"));
  CHECK(r.entry.outcome == delivery_outcome::unconfirmed);
  CHECK(telegram.keys.size() == 1);

  scripted_client line("line", true);
  line.answers = {{send_verdict::ambiguous, "no answer", std::nullopt, ""}};
  r = h.run(&line, h.entry("line"));
  CHECK(r.entry.outcome == delivery_outcome::delivered);
  CHECK(line.keys.size() == 2);

  h.settings.retry_unconfirmed.insert("telegram");
  scripted_client again("telegram", false);
  again.answers = {{send_verdict::ambiguous, "no answer", std::nullopt, ""}};
  CHECK(h.run(&again, h.entry("telegram")).entry.outcome == delivery_outcome::delivered);
  CHECK(again.keys.size() == 2);
}

TEST_CASE("an attempt found interrupted after a crash is repeated only where that is safe") {
  harness h;
  ledger_entry interrupted = h.entry("telegram");
  interrupted.state = job_state::attempting;
  interrupted.mode = "text";
  interrupted.attempts = 1;
  scripted_client telegram("telegram", false);
  auto r = h.run(&telegram, interrupted);
  CHECK(r.entry.outcome == delivery_outcome::unconfirmed);
  CHECK(telegram.keys.empty());
  CHECK(h.recorded.empty());

  interrupted.channel = "line";
  interrupted.token = h.entry("line").token;
  scripted_client line("line", true);
  r = h.run(&line, interrupted);
  CHECK(r.entry.outcome == delivery_outcome::delivered);
  CHECK(line.seen_interrupted == "text");
  CHECK(r.entry.attempts == 2);
}

TEST_CASE("what needs no request, and what cannot be sent, is recorded at once") {
  harness h;
  scripted_client whatsapp("whatsapp", false);
  whatsapp.decide = send_result{send_verdict::window_expired, "no template", std::nullopt, ""};
  auto r = h.run(&whatsapp, h.entry("whatsapp"));
  CHECK(r.entry.outcome == delivery_outcome::window_expired);
  CHECK(r.entry.attempts == 0);
  CHECK(h.run(nullptr, h.entry("messenger")).entry.outcome == delivery_outcome::failed);
  ledger_entry damaged = h.entry("telegram");
  damaged.token[damaged.token.size() - 2] ^= 1;
  auto d = h.run(&whatsapp, damaged);
  CHECK(d.entry.outcome == delivery_outcome::failed);
  CHECK(d.entry.detail.starts_with("reply token:"));
}
