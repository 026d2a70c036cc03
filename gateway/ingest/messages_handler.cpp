// POST /v1/messages: application/json (one message) or application/x-ndjson
// (a batch, one message per line). Answered once Kafka has every message.
#include <memory>
#include <mutex>
#include <vector>

#include "common/error/errc.hpp"
#include "gateway/http/media_type.hpp"
#include "gateway/http/problem.hpp"
#include "gateway/ingest/answers.hpp"
#include "gateway/ingest/routes.hpp"
#include "gateway/ingest/trace_context.hpp"

namespace civic::gateway::ingest {
namespace {

struct batch_state {
  std::mutex mutex;
  std::vector<size_t> lines;
  std::vector<outcome> outcomes;
  size_t pending = 0;
};

void count_answer(pipeline& p, const outcome& o) {
  if (o.error)
    p.metrics().nack_sent();
  else
    p.metrics().ack_sent();
}

void ingest_single(pipeline& p, const http::request& req, const sender& from,
                   std::optional<std::string> trace, std::shared_ptr<ticket> held,
                   http::responder answer) {
  p.submit(req.body, from, trace, [&p, held, answer](outcome o) {
    count_answer(p, o);
    held->release();
    answer(http_answer(o));
  });
}

void ingest_batch(pipeline& p, const http::request& req, const sender& from,
                  std::optional<std::string> trace, std::shared_ptr<ticket> held,
                  const ingest_settings& s, http::responder answer) {
  auto state = std::make_shared<batch_state>();
  std::vector<std::string_view> messages;
  std::string_view rest = req.body;
  for (size_t line = 1; !rest.empty(); ++line) {
    size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    messages.push_back(text);
    state->lines.push_back(line);
  }
  if (messages.empty() || messages.size() > s.max_batch_messages) {
    std::error_code why = messages.empty() ? errc::too_short : errc::too_large;
    p.metrics().rejected(why);
    return answer(http::problem(why, "a batch holds 1 to " + std::to_string(s.max_batch_messages) +
                                         " messages, one per line"));
  }
  state->outcomes.resize(messages.size());
  state->pending = messages.size();
  for (size_t i = 0; i < messages.size(); ++i) {
    p.submit(messages[i], from, trace, [&p, state, i, held, answer](outcome o) {
      count_answer(p, o);
      {
        std::lock_guard lock(state->mutex);
        state->outcomes[i] = std::move(o);
        if (--state->pending > 0) return;
      }
      held->release();
      answer(http::json(200, batch_body(state->lines, state->outcomes)));
    });
  }
}

}  // namespace

http::handler messages_handler(pipeline& p, ingest_settings s, authenticate auth) {
  return [&p, s, auth](const http::request& req, http::responder answer) {
    auto from = auth(req);
    if (!from) return answer(std::move(from).error());
    std::string_view content_type = req.header("Content-Type").value_or("");
    bool single = http::has_media_type(content_type, "application/json");
    bool batch = http::has_media_type(content_type, "application/x-ndjson") ||
                 http::has_media_type(content_type, "application/jsonl");
    if (!single && !batch) {
      p.metrics().rejected(errc::unsupported_media_type);
      return answer(
          http::problem(errc::unsupported_media_type,
                        "send application/json (one message) or application/x-ndjson (a batch)"));
    }
    auto admitted = p.admit(req.body.size());
    if (!admitted) {
      std::error_code why = admitted.error();
      return answer(http::problem(
          why, why == errc::unavailable     ? "Kafka is unreachable; send again later"
               : why == errc::shutting_down ? "the gateway is shutting down"
                                            : "too many messages in flight; send again later"));
    }
    auto held = std::make_shared<ticket>(std::move(*admitted));
    auto trace = trace_context(req.header, p.metrics());
    if (single) return ingest_single(p, req, *from, std::move(trace), held, answer);
    ingest_batch(p, req, *from, std::move(trace), held, s, answer);
  };
}

}  // namespace civic::gateway::ingest
