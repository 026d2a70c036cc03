#include "gateway/channels/dispatcher.hpp"

#include <memory>
#include <mutex>
#include <vector>

#include "common/log/log.hpp"

namespace civic::gateway::channels {

dispatcher::dispatcher(adapter_map adapters, ingest::pipeline& pipeline,
                       ingest::in_flight_budget& budget, rate_limiter& limiter)
    : pipeline_(pipeline), budget_(budget), limiter_(limiter) {
  for (auto& [name, impl] : adapters) {
    auto e = std::make_unique<entry>();
    e->impl = std::move(impl);
    entries_.emplace(name, std::move(e));
  }
}

std::optional<deadline> dispatcher::handle(std::string_view channel, const request& req,
                                           std::function<void(response)> done) {
  auto found = entries_.find(channel);
  if (found == entries_.end()) {
    done(problem(404, "invalid_value", "no such channel is enabled"));
    return std::nullopt;
  }
  entry& e = *found->second;
  if (!limiter_.allow(channel, req.client_address)) {
    count_outcome(e, rate_limited);
    auto answer = problem(429, "overloaded", "too many requests; send again later");
    answer.retry_later = true;
    done(std::move(answer));
    return std::nullopt;
  }
  if (auto answer_now = e.impl->respond_directly(req)) {
    count_outcome(e, direct);
    done(std::move(*answer_now));
    return std::nullopt;
  }
  if (!e.impl->authentic(req)) {
    count_outcome(e, unauthorized);
    done(problem(401, "unauthorized", "the signature or secret does not match"));
    return std::nullopt;
  }
  auto extracted = e.impl->extract(req);
  if (!extracted) {
    count_outcome(e, invalid);
    done(std::move(extracted).error());
    return std::nullopt;
  }
  delivery d = std::move(*extracted);
  e.ignored_events.fetch_add(d.ignored_events, std::memory_order_relaxed);
  auto answer = d.answer ? d.answer : default_answer;
  if (d.messages.empty()) {
    count_outcome(e, accepted);
    done(answer({}));
    return std::nullopt;
  }
  if (!budget_.try_acquire(req.body.size())) {
    count_outcome(e, overloaded);
    auto busy = problem(503, "overloaded", "too many messages in flight; send again later");
    busy.retry_later = true;
    done(std::move(busy));
    return std::nullopt;
  }
  count_outcome(e, accepted);

  // Collects the outcomes; the last one builds the channel's answer.
  struct gathering {
    std::mutex mutex;
    std::vector<ingest::outcome> outcomes;
    size_t pending;
  };
  auto state = std::make_shared<gathering>();
  state->outcomes.resize(d.messages.size());
  state->pending = d.messages.size();
  size_t bytes = req.body.size();
  auto finish = [this, state, bytes, answer, done](size_t index, ingest::outcome o) {
    {
      std::lock_guard lock(state->mutex);
      state->outcomes[index] = std::move(o);
      if (--state->pending > 0) return;
    }
    budget_.release(bytes);
    done(answer(state->outcomes));
  };
  std::optional<deadline> late;
  if (d.answer_within && d.answer_late) late = deadline{*d.answer_within, d.answer_late};
  std::optional<std::string> traceparent;
  if (auto t = req.header("traceparent")) traceparent = std::string(*t);
  for (size_t i = 0; i < d.messages.size(); ++i) {
    pipeline_.submit(std::move(d.messages[i]), traceparent,
                     [finish, i](ingest::outcome o) { finish(i, std::move(o)); });
  }
  return late;
}

std::string dispatcher::render_metrics() const {
  static constexpr std::array<std::string_view, count> names{
      "accepted", "direct", "unauthorized", "rate_limited", "invalid", "overloaded"};
  std::string out;
  out += "# HELP gateway_webhook_requests_total Channel webhook requests by channel and outcome.\n";
  out += "# TYPE gateway_webhook_requests_total counter\n";
  for (const auto& [name, e] : entries_) {
    for (size_t o = 0; o < count; ++o) {
      out += "gateway_webhook_requests_total{channel=\"" + name + "\",outcome=\"" +
             std::string(names[o]) + "\"} " + std::to_string(e->requests[o].load()) + "\n";
    }
  }
  out +=
      "# HELP gateway_webhook_ignored_events_total Events acknowledged but not published "
      "(types the gateway does not take).\n";
  out += "# TYPE gateway_webhook_ignored_events_total counter\n";
  for (const auto& [name, e] : entries_) {
    out += "gateway_webhook_ignored_events_total{channel=\"" + name + "\"} " +
           std::to_string(e->ignored_events.load()) + "\n";
  }
  return out;
}

}  // namespace civic::gateway::channels
