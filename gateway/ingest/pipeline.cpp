#include "gateway/ingest/pipeline.hpp"

#include <chrono>

#include "common/error/errc.hpp"

namespace civic::gateway::ingest {

void pipeline::reject(std::string id, field_error error, const completion& done) {
  metrics_.rejected(error.code);
  done(outcome{std::move(id), std::move(error), false, {}, -1, -1});
}

void pipeline::submit(std::string_view json, const std::optional<std::string>& traceparent,
                      completion done) {
  auto parsed = parse_inbound(json, limits_);
  if (!parsed) return reject(std::move(parsed.error().id), std::move(parsed.error().error), done);
  submit(std::move(*parsed), traceparent, std::move(done));
}

void pipeline::submit(inbound_message message, const std::optional<std::string>& traceparent,
                      completion done) {
  auto started = std::chrono::steady_clock::now();
  std::string id = message.id;
  if (auto invalid = check_limits(message, limits_))
    return reject(std::move(id), std::move(*invalid), done);
  // A traceparent inside the message wins over the transport's (HTTP header).
  std::optional<std::string> trace = message.traceparent ? message.traceparent : traceparent;
  auto envelope = normalize(std::move(message), normalize_, std::chrono::system_clock::now());
  if (!envelope) return reject(std::move(id), std::move(envelope).error(), done);

  auto on_delivery = [this, id, started, done](const kafka::delivery_report& report) {
    outcome result{id, std::nullopt, false, report.topic, report.partition, report.offset};
    if (report.error) {
      metrics_.failed(report.error);
      result.error = field_error{report.error, "",
                                 "Kafka did not store the message: " + report.error.message()};
      result.retryable = is_retryable(report.error);
    } else {
      metrics_.stored(std::chrono::steady_clock::now() - started);
    }
    done(std::move(result));
  };
  std::optional<kafka::record> diverted = divert_ ? divert_(*envelope) : std::nullopt;
  std::error_code refused =
      diverted ? publisher_.publish_record(std::move(*diverted), std::move(on_delivery))
               : publisher_.publish(*envelope, trace, std::move(on_delivery));
  if (refused) {
    metrics_.refused(refused);
    std::string why = refused == errc::unavailable
                          ? "Kafka is unreachable; send the message again later"
                          : "the gateway is busy; send the message again later";
    done(outcome{std::move(id), field_error{refused, "", std::move(why)}, true, {}, -1, -1});
  }
}

}  // namespace civic::gateway::ingest
