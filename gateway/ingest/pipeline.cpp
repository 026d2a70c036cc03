#include "gateway/ingest/pipeline.hpp"

#include <chrono>

#include "common/envelope/field_checks.hpp"
#include "common/error/errc.hpp"

namespace civic::gateway::ingest {

bool outcome::retryable() const { return error && is_retryable(error->code); }

expected<ticket, std::error_code> pipeline::admit(size_t bytes) {
  std::error_code refused;
  if (shutting_down())
    refused = errc::shutting_down;
  else if (!sink_.kafka_ready())
    refused = errc::unavailable;
  else if (!budget_.try_acquire(bytes))
    refused = errc::overloaded;
  if (refused) {
    metrics_.refused(refused);
    return unexpected(refused);
  }
  return ticket(budget_, bytes);
}

std::optional<ticket> pipeline::admit_or_wait(size_t bytes, std::function<void()> wake) {
  if (budget_.try_acquire(bytes)) return ticket(budget_, bytes);
  budget_.wait(std::move(wake), bytes);
  return std::nullopt;
}

outcome pipeline::refuse(std::string id, field_error error) {
  if (is_retryable(error.code))
    metrics_.refused(error.code);
  else
    metrics_.rejected(error.code);
  return outcome{std::move(id), std::move(error), {}, -1, -1};
}

void pipeline::reject(std::string id, field_error error, const completion& done) {
  done(refuse(std::move(id), std::move(error)));
}

void pipeline::submit(std::string_view json, const sender& from,
                      const std::optional<std::string>& traceparent, completion done) {
  auto parsed = parse_inbound(json, limits_);
  if (!parsed) return reject(std::move(parsed.error().id), std::move(parsed.error().error), done);
  submit(std::move(*parsed), from, traceparent, std::move(done));
}

void pipeline::submit(inbound_message message, const sender& from,
                      const std::optional<std::string>& traceparent, completion done) {
  auto started = std::chrono::steady_clock::now();
  // A refusal echoes the id, but never one that could split a line.
  std::string id = envelope::has_control_character(message.id) ? std::string() : message.id;
  if (auto invalid = check_limits(message, limits_))
    return reject(std::move(id), std::move(*invalid), done);
  if (from.may_send_as && !from.may_send_as(message.channel)) {
    return reject(std::move(id),
                  field_error{errc::forbidden, "/channel",
                              "this credential may not send as channel " + message.channel},
                  done);
  }
  // A traceparent inside the message wins over the transport's (HTTP header).
  std::optional<std::string> trace = message.traceparent ? message.traceparent : traceparent;
  auto envelope = normalize(std::move(message), from, normalize_, std::chrono::system_clock::now());
  if (!envelope) return reject(std::move(id), std::move(envelope).error(), done);

  auto on_delivery = [this, id, started, done](const kafka::delivery_report& report) {
    outcome result{id, std::nullopt, report.topic, report.partition, report.offset};
    if (report.error) {
      metrics_.failed(report.error);
      result.error = field_error{report.error, "",
                                 "Kafka did not store the message: " + report.error.message()};
    } else {
      metrics_.stored(std::chrono::steady_clock::now() - started);
    }
    done(std::move(result));
  };
  std::optional<kafka::record> diverted = divert_ ? divert_(*envelope) : std::nullopt;
  std::error_code refused = diverted
                                ? sink_.publish_record(std::move(*diverted), std::move(on_delivery))
                                : sink_.publish(*envelope, trace, std::move(on_delivery));
  if (refused) {
    std::string why = refused == errc::unavailable
                          ? "Kafka is unreachable; send the message again later"
                          : "the gateway is busy; send the message again later";
    reject(std::move(id), field_error{refused, "", std::move(why)}, done);
  }
}

}  // namespace civic::gateway::ingest
