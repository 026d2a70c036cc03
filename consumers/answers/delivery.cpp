#include "consumers/answers/delivery.hpp"

#include <algorithm>
#include <thread>

#include "common/time/rfc3339.hpp"

namespace civic::answers {
namespace {

using responses::delivery_outcome;

delivery_result finish(ledger_entry entry, delivery_outcome outcome, std::string detail,
                       delivery_context& ctx) {
  entry.state = job_state::done;
  entry.outcome = outcome;
  entry.detail = std::move(detail);
  entry.finished_at = format_rfc3339_utc(ctx.now());
  return {std::move(entry), true, {}};
}

std::optional<delivery_outcome> final_outcome(send_verdict v) {
  switch (v) {
    case send_verdict::delivered:
      return delivery_outcome::delivered;
    case send_verdict::published:
      return delivery_outcome::published;
    case send_verdict::refused:
      return delivery_outcome::failed;
    case send_verdict::window_expired:
      return delivery_outcome::window_expired;
    case send_verdict::opted_out:
      return delivery_outcome::opted_out;
    case send_verdict::unconfirmed:
      return delivery_outcome::unconfirmed;
    case send_verdict::retry:
    case send_verdict::ambiguous:
      return std::nullopt;
  }
  return delivery_outcome::failed;
}

void sleep_for(delivery_context& ctx, std::chrono::milliseconds wait) {
  if (wait.count() <= 0) return;
  if (ctx.sleep) {
    ctx.sleep(wait);
    return;
  }
  auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until && !ctx.stopping()) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           until - std::chrono::steady_clock::now())));
  }
}

}  // namespace

delivery_result deliver(ledger_entry entry, delivery_context& ctx) {
  if (!ctx.client) {
    return finish(std::move(entry), delivery_outcome::failed,
                  "no client for channel " + entry.channel + " is enabled (answers." +
                      entry.channel + ".enabled)",
                  ctx);
  }
  auto address = ctx.opener->open(entry.token);
  if (!address) {
    return finish(std::move(entry), delivery_outcome::failed, "reply token: " + address.error(),
                  ctx);
  }
  const channel_client& client = *ctx.client;
  const delivery_settings& settings = *ctx.settings;
  bool repeat_anyway = settings.retry_unconfirmed.contains(entry.channel);

  delivery_job job;
  job.idempotency_key = idempotency_key(entry.update_id, entry.recipient);
  job.address = std::move(*address);
  job.last_inbound_ms = entry.last_inbound_ms;
  job.handle_usable = ctx.handle_usable;
  job.message = entry.message;
  job.now = ctx.now();
  if (entry.state == job_state::attempting) {
    job.interrupted_mode = entry.mode;
    if (!client.repeat_safe(entry.mode) && !repeat_anyway) {
      return finish(std::move(entry), delivery_outcome::unconfirmed,
                    "an attempt was interrupted (crash or rebalance) after it was recorded; it "
                    "may have reached the citizen and " +
                        entry.channel + " cannot recognise a repeat, so it was not repeated",
                    ctx);
    }
  }
  plan chosen = client.choose(job);
  job.mode = chosen.mode;
  if (chosen.decided) {
    entry.mode = chosen.mode;
    auto outcome = final_outcome(chosen.decided->verdict).value_or(delivery_outcome::failed);
    return finish(std::move(entry), outcome, chosen.decided->detail, ctx);
  }

  for (;;) {
    if (ctx.stopping()) return {std::move(entry), false, {}};
    if (ctx.rates) sleep_for(ctx, ctx.rates->take(entry.channel));
    if (ctx.stopping()) return {std::move(entry), false, {}};
    entry.state = job_state::attempting;
    entry.mode = job.mode;
    ++entry.attempts;
    if (auto error = ctx.record(entry)) return {std::move(entry), false, error};

    job.now = ctx.now();
    send_result result = client.send(job, *ctx.http);
    if (!result.mode.empty()) entry.mode = result.mode;
    if (auto outcome = final_outcome(result.verdict)) {
      return finish(std::move(entry), *outcome, result.detail, ctx);
    }
    if (result.verdict == send_verdict::ambiguous) {
      if (!client.repeat_safe(entry.mode) && !repeat_anyway) {
        return finish(std::move(entry), delivery_outcome::unconfirmed,
                      result.detail + "; the request went out and " + entry.channel +
                          " cannot recognise a repeat, so it was not repeated",
                      ctx);
      }
      job.interrupted_mode = entry.mode;
    }
    if (entry.attempts >= static_cast<uint32_t>(settings.max_attempts)) {
      return finish(
          std::move(entry), delivery_outcome::failed,
          "gave up after " + std::to_string(entry.attempts) + " requests: " + result.detail, ctx);
    }
    // Refused for now: back to pending, so a crash while waiting is not taken
    // for an interrupted request.
    entry.state = job_state::pending;
    entry.detail = result.detail;
    if (result.verdict == send_verdict::retry) {
      if (auto error = ctx.record(entry)) return {std::move(entry), false, error};
    }
    auto backoff = settings.first_backoff * (1 << std::min<uint32_t>(entry.attempts - 1, 16));
    auto wait = std::min(result.retry_after.value_or(backoff), settings.max_retry_wait);
    sleep_for(ctx, wait);
  }
}

}  // namespace civic::answers
