#pragma once
// Stand-ins for the gateway's edges, so handlers, the pipeline and the channel
// dispatcher are tested without Beast or Kafka: an envelope sink that records
// (and reports deliveries when told), an answer sink that records HTTP answers,
// and a WebSocket connection that records frames.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error/errc.hpp"
#include "gateway/http/message.hpp"
#include "gateway/http/websocket.hpp"
#include "gateway/ingest/envelope_sink.hpp"

namespace civic::test {

class recording_sink final : public gateway::ingest::envelope_sink {
 public:
  bool ready = true;
  std::error_code refuse_with;  // returned by publish() when set
  bool hold = false;            // keep delivery reports until deliver()

  struct published_record {
    envelope::message envelope;
    std::optional<std::string> traceparent;
  };
  std::vector<published_record> published;

  std::error_code publish(const envelope::message& e, const std::optional<std::string>& traceparent,
                          kafka::delivery_handler on_delivery) override {
    if (!ready) return errc::unavailable;
    if (refuse_with) return refuse_with;
    published.push_back({e, traceparent});
    if (hold) {
      pending_.push_back(std::move(on_delivery));
    } else {
      on_delivery({{}, "feedback.ingested", 0, next_offset_++});
    }
    return {};
  }
  bool kafka_ready() const override { return ready; }

  // Reports every held record: stored, or failed with `error`.
  void deliver(std::error_code error = {}) {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& report : pending) {
      if (error)
        report({error, "feedback.ingested", -1, -1});
      else
        report({{}, "feedback.ingested", 0, next_offset_++});
    }
  }
  size_t held() const { return pending_.size(); }

 private:
  std::vector<kafka::delivery_handler> pending_;
  int64_t next_offset_ = 0;
};

class recording_answers final : public gateway::http::answer_sink {
 public:
  std::vector<gateway::http::response> answers;
  std::function<void()> deadline;  // what start_deadline() was given; a test fires it
  std::chrono::milliseconds deadline_after{0};

  void write(gateway::http::response r) override { answers.push_back(std::move(r)); }
  void start_deadline(std::chrono::milliseconds within, std::function<void()> fire) override {
    deadline_after = within;
    deadline = std::move(fire);
  }
};

// A request with the given headers (names compared in any case).
struct request_builder {
  std::string method = "POST";
  std::string path = "/";
  std::string query;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  gateway::http::request build() const {
    gateway::http::request r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.body = body;
    r.client_address = "192.0.2.7";
    r.received = std::chrono::system_clock::now();
    r.header = [this](std::string_view name) -> std::optional<std::string_view> {
      for (const auto& [n, v] : headers) {
        if (n.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < n.size() && same; ++i)
          same = std::tolower(static_cast<unsigned char>(n[i])) ==
                 std::tolower(static_cast<unsigned char>(name[i]));
        if (same) return std::string_view(v);
      }
      return std::nullopt;
    };
    return r;
  }
};

class recording_connection final : public gateway::http::ws_connection {
 public:
  std::vector<std::string> sent;   // written, in order
  std::vector<std::string> queue;  // sent and not yet "written"
  std::optional<uint16_t> closed_with;
  std::vector<std::function<void()>> posted;
  int resumed = 0;

  void send(std::string text) override { queue.push_back(std::move(text)); }
  size_t queued() const override { return queue.size(); }
  void close(uint16_t code, std::string_view) override { closed_with = code; }
  void resume() override { ++resumed; }
  void post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }

  // Runs what was posted (as the strand would).
  void run_posted() {
    while (!posted.empty()) {
      auto work = std::move(posted);
      posted.clear();
      for (auto& fn : work) fn();
    }
  }
  // "Writes" the oldest queued frame and tells the handler.
  bool write_one(gateway::http::ws_handler& h) {
    if (queue.empty()) return false;
    sent.push_back(queue.front());
    queue.erase(queue.begin());
    h.on_sent();
    return true;
  }
};

}  // namespace civic::test
