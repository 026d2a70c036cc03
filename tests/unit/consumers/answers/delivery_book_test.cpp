// A worker's view of its ledger partition: jobs in ledger order, its own
// writes coming back never re-opening a job, per-update summaries (complete
// with the last recipient), and reply handles spent once.

#include "consumers/answers/delivery_book.hpp"

#include <doctest/doctest.h>

#include "common/responses/delivery.hpp"

using namespace civic;
using namespace civic::answers;
using responses::delivery_outcome;

namespace {

ledger_entry job(std::string recipient, std::string channel, job_state state = job_state::pending) {
  ledger_entry e;
  e.state = state;
  e.update_id = "upd-1";
  e.case_id = "case-1";
  e.locality = "Jongno-gu";
  e.recipient = std::move(recipient);
  e.channel = std::move(channel);
  e.token = "rt1.k.x";
  e.kind = "update";
  e.recipients = 3;
  return e;
}

ledger_entry done(ledger_entry e, delivery_outcome o) {
  e.state = job_state::done;
  e.outcome = o;
  e.finished_at = "2026-11-22T05:00:01.000Z";
  return e;
}

void apply(delivery_book& book, const ledger_entry& e) {
  book.apply(ledger_key(e.update_id, e.recipient), to_json(e), 0);
}

std::vector<responses::delivery_summary> summaries(const std::vector<kafka::record>& out) {
  std::vector<responses::delivery_summary> s;
  for (const auto& r : out) {
    if (responses::delivery_record_type(r.value) == "summary") {
      s.push_back(*responses::parse_delivery_summary(r.value));
    }
  }
  return s;
}

}  // namespace

TEST_CASE("jobs come in ledger order; finished ones never come back, even as echoes") {
  delivery_book book(std::chrono::hours(1));
  topics names;
  apply(book, job("a", "line"));
  apply(book, job("b", "telegram"));
  apply(book, job("c", "whatsapp"));
  book.restored();
  REQUIRE(book.next()->recipient == "a");

  auto now = std::chrono::steady_clock::now();
  auto a = done(job("a", "line"), delivery_outcome::delivered);
  auto out = book.finish(a, names, 2, now);
  REQUIRE(out.size() == 3);  // the ledger state, the outcome, the first summary
  CHECK(out[0].topic == names.ledger);
  CHECK(out[0].partition == 2);
  CHECK(out[1].topic == names.deliveries);
  CHECK(out[1].key == "case-1");
  CHECK(book.next()->recipient == "b");
  // The worker's own attempting record of "a" arrives after it finished: ignored.
  apply(book, job("a", "line", job_state::attempting));
  CHECK(book.next()->recipient == "b");
  CHECK(book.jobs() == 2);
  apply(book, a);  // and its done record closes the echo

  auto b = book.finish(done(job("b", "telegram"), delivery_outcome::unconfirmed), names, 2, now);
  CHECK(summaries(b).empty());  // a summary at most every interval
  auto c = book.finish(done(job("c", "whatsapp"), delivery_outcome::window_expired), names, 2, now);
  auto s = summaries(c);
  REQUIRE(s.size() == 1);  // the last recipient: always
  CHECK(s[0].complete);
  CHECK(s[0].recipients == 3);
  CHECK(s[0].outcomes.at("delivered") == 1);
  CHECK(s[0].outcomes.at("unconfirmed") == 1);
  CHECK(s[0].by_channel.at("whatsapp").at("window_expired") == 1);
  CHECK_FALSE(book.next().has_value());
  CHECK(book.updates_in_progress() == 0);
}

TEST_CASE("after a restart the outcomes found count toward the update's summary") {
  delivery_book book(std::chrono::hours(1));
  topics names;
  apply(book, done(job("a", "line"), delivery_outcome::delivered));
  apply(book, done(job("b", "telegram"), delivery_outcome::delivered));
  apply(book, job("c", "whatsapp", job_state::attempting));
  book.restored();
  auto next = book.next();
  REQUIRE(next.has_value());
  CHECK(next->state == job_state::attempting);
  auto s = summaries(book.finish(done(*next, delivery_outcome::unconfirmed), names, 0,
                                 std::chrono::steady_clock::now()));
  REQUIRE(s.size() == 1);
  CHECK(s[0].complete);
  CHECK(s[0].outcomes.at("delivered") == 2);
}

TEST_CASE("a recipient's reply handle is spent by the first attempt that uses it") {
  delivery_book book(std::chrono::hours(1));
  auto first = job("a", "line");
  CHECK(book.handle_usable(first));
  first.mode = "reply";
  book.attempting(first, 1000);
  auto second = job("a", "line");
  second.update_id = "upd-2";
  CHECK_FALSE(book.handle_usable(second));
  CHECK(book.handle_usable(job("b", "line")));
  // Learned from the ledger after a restart, too.
  delivery_book restarted(std::chrono::hours(1));
  auto spent = done(job("a", "line"), delivery_outcome::delivered);
  spent.mode = "reply";
  apply(restarted, spent);
  CHECK_FALSE(restarted.handle_usable(second));
}

TEST_CASE("ledger entries round-trip and idempotency keys are stable UUIDs") {
  auto e = done(job("a", "line"), delivery_outcome::delivered);
  e.message = {"update", "fixed", "처리 완료", "보수했습니다", "ko", "2C4A6E8F", "text"};
  e.mode = "push";
  e.attempts = 2;
  auto back = ledger_entry_from_json(to_json(e));
  REQUIRE(back.has_value());
  CHECK(*back == e);
  CHECK_FALSE(ledger_entry_from_json("{}").has_value());
  auto key = idempotency_key("upd-1", "a");
  CHECK(key.size() == 36);
  CHECK(key[14] == '8');  // version 8
  CHECK(key == idempotency_key("upd-1", "a"));
  CHECK(key != idempotency_key("upd-1", "b"));
  CHECK(key != idempotency_key("upd-2", "a"));
}
