#include "gateway/channels/dispatcher.hpp"

#include <memory>
#include <mutex>
#include <vector>

#include "common/error/errc.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/ingest/trace_context.hpp"

namespace civic::gateway::channels {

dispatcher::dispatcher(adapter_map adapters, ingest::pipeline& pipeline, rate_limiter& limiter)
    : pipeline_(pipeline), limiter_(limiter) {
  for (auto& [name, impl] : adapters) {
    auto e = std::make_unique<entry>();
    e->impl = std::move(impl);
    entries_.emplace(name, std::move(e));
  }
}

void dispatcher::handle(std::string_view channel, const request& req, http::responder answer) {
  auto found = entries_.find(channel);
  if (found == entries_.end()) {
    return answer(http::problem(errc::not_found, "no such channel is enabled"));
  }
  entry& e = *found->second;
  if (!limiter_.allow(channel, req.client_address)) {
    count_outcome(e, rate_limited);
    return answer(http::problem(errc::rate_limited, "too many requests; send again later"));
  }
  if (auto answer_now = e.impl->respond_directly(req)) {
    count_outcome(e, direct);
    return answer(std::move(*answer_now));
  }
  if (!e.impl->authentic(req)) {
    count_outcome(e, unauthorized);
    return answer(
        http::problem(errc::invalid_credential, "the signature or secret does not match"));
  }
  auto extracted = e.impl->extract(req);
  if (!extracted) {
    count_outcome(e, invalid);
    return answer(std::move(extracted).error());
  }
  delivery d = std::move(*extracted);
  e.ignored_events.fetch_add(d.ignored_events, std::memory_order_relaxed);
  auto reply = d.answer ? d.answer : default_answer;
  if (d.messages.empty()) {
    count_outcome(e, accepted);
    return answer(reply({}));
  }
  auto admitted = pipeline_.admit(req.body.size());
  if (!admitted) {
    count_outcome(e, refused);
    return answer(http::problem(admitted.error(), "the delivery cannot be taken now; redeliver"));
  }
  count_outcome(e, accepted);

  // Collects the outcomes; the last one builds the channel's answer.
  struct gathering {
    std::mutex mutex;
    std::vector<ingest::outcome> outcomes;
    size_t pending;
    ingest::ticket held;
  };
  auto state = std::make_shared<gathering>();
  state->outcomes.resize(d.messages.size());
  state->pending = d.messages.size();
  state->held = std::move(*admitted);
  auto finish = [state, reply, answer](size_t index, ingest::outcome o) {
    {
      std::lock_guard lock(state->mutex);
      state->outcomes[index] = std::move(o);
      if (--state->pending > 0) return;
    }
    state->held.release();
    answer(reply(state->outcomes));
  };
  if (d.answer_within && d.answer_late) answer.answer_within(*d.answer_within, d.answer_late);
  auto trace = ingest::trace_context(req.header, pipeline_.metrics());
  const auto from = ingest::sender::webhook(found->first);
  for (size_t i = 0; i < d.messages.size(); ++i) {
    pipeline_.submit(std::move(d.messages[i]), from, trace,
                     [finish, i](ingest::outcome o) { finish(i, std::move(o)); });
  }
}

void dispatcher::write_metrics(civic::metrics::text_writer& w) const {
  static constexpr std::array<std::string_view, count> names{
      "accepted", "direct", "unauthorized", "rate_limited", "invalid", "refused"};
  w.family("gateway_webhook_requests_total", "counter",
           "Channel webhook requests by channel and outcome.");
  for (const auto& [name, e] : entries_) {
    for (size_t o = 0; o < count; ++o) {
      w.sample("gateway_webhook_requests_total", {{"channel", name}, {"outcome", names[o]}},
               static_cast<double>(e->requests[o].load(std::memory_order_relaxed)));
    }
  }
  w.family("gateway_webhook_ignored_events_total", "counter",
           "Events acknowledged but not published (types the gateway does not take).");
  for (const auto& [name, e] : entries_) {
    w.sample("gateway_webhook_ignored_events_total", {{"channel", name}},
             static_cast<double>(e->ignored_events.load(std::memory_order_relaxed)));
  }
}

}  // namespace civic::gateway::channels
