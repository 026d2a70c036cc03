#include "consumers/answers/ledger_writer.hpp"

#include <array>
#include <thread>

#include "common/kafka/handles.hpp"
#include "common/kafka/kafka_error.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/log/log.hpp"

namespace civic::answers {
namespace {

using namespace std::chrono_literals;
constexpr int call_timeout_ms = 30'000;

// Consumer properties would only make librdkafka warn on a producer.
bool consumer_property(const std::string& key) {
  for (std::string_view k :
       {"group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms",
        "max.poll.interval.ms", "auto.offset.reset", "enable.auto.commit", "isolation.level",
        "enable.partition.eof", "fetch.wait.max.ms", "fetch.min.bytes"}) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

struct ledger_writer::impl {
  kafka::client_handle producer;

  std::error_code produce(const kafka::record& rec) {
    std::vector<rd_kafka_vu_t> fields;
    rd_kafka_vu_t v{};
    v.vtype = RD_KAFKA_VTYPE_TOPIC;
    v.u.cstr = rec.topic.c_str();
    fields.push_back(v);
    v.vtype = RD_KAFKA_VTYPE_KEY;
    v.u.mem = {const_cast<char*>(rec.key.data()), rec.key.size()};
    fields.push_back(v);
    v.vtype = RD_KAFKA_VTYPE_VALUE;
    v.u.mem = {rec.tombstone ? nullptr : const_cast<char*>(rec.value.data()),
               rec.tombstone ? 0 : rec.value.size()};
    fields.push_back(v);
    v.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    v.u.i = RD_KAFKA_MSG_F_COPY;
    fields.push_back(v);
    if (rec.partition >= 0) {
      v.vtype = RD_KAFKA_VTYPE_PARTITION;
      v.u.i32 = rec.partition;
      fields.push_back(v);
    }
    for (const auto& h : rec.headers) {
      v.vtype = RD_KAFKA_VTYPE_HEADER;
      v.u.header = {h.name.c_str(), h.value.data(), static_cast<ssize_t>(h.value.size())};
      fields.push_back(v);
    }
    for (;;) {
      kafka::error_handle error(rd_kafka_produceva(producer.get(), fields.data(), fields.size()));
      if (!error) return {};
      if (rd_kafka_error_code(error.get()) != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return make_kafka_error(rd_kafka_error_code(error.get()));
      }
      rd_kafka_poll(producer.get(), 100);
    }
  }
};

ledger_writer::ledger_writer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
ledger_writer::~ledger_writer() = default;

expected<std::unique_ptr<ledger_writer>, std::string> ledger_writer::create(
    const kafka::properties& kafka, const std::string& transactional_id) {
  kafka::properties props{{"linger.ms", "0"}};
  for (const auto& [k, v] : kafka) {
    if (!consumer_property(k)) props.emplace_back(k, v);
  }
  props.insert(props.end(), {{"transactional.id", transactional_id},
                             {"enable.idempotence", "true"},
                             {"acks", "all"},
                             {"transaction.timeout.ms", "60000"}});
  auto conf = kafka::make_conf(props);
  if (!conf) return unexpected(conf.error());
  kafka::route_librdkafka_logs(conf->get());
  std::array<char, 512> errstr{};
  auto state = std::make_unique<impl>();
  state->producer.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr.data(), errstr.size()));
  if (!state->producer) return unexpected(std::string("ledger producer: ") + errstr.data());
  conf->release();
  kafka::error_handle init(rd_kafka_init_transactions(state->producer.get(), call_timeout_ms));
  if (init) {
    return unexpected(std::string("ledger init_transactions: ") +
                      rd_kafka_error_string(init.get()));
  }
  return std::unique_ptr<ledger_writer>(new ledger_writer(std::move(state)));
}

std::error_code ledger_writer::write(const std::vector<kafka::record>& records) {
  rd_kafka_t* p = impl_->producer.get();
  for (int attempt = 0;; ++attempt) {
    kafka::error_handle begin(rd_kafka_begin_transaction(p));
    if (begin) return make_kafka_error(rd_kafka_error_code(begin.get()));
    std::error_code failed;
    for (const auto& r : records) {
      if ((failed = impl_->produce(r))) break;
    }
    kafka::error_handle commit;
    if (!failed) {
      for (int retry = 0; retry < 20; ++retry) {
        commit.reset(rd_kafka_commit_transaction(p, call_timeout_ms));
        if (!commit || !rd_kafka_error_is_retriable(commit.get())) break;
        std::this_thread::sleep_for(100ms);
      }
      if (!commit) return {};
      if (rd_kafka_error_is_fatal(commit.get()) ||
          !rd_kafka_error_txn_requires_abort(commit.get())) {
        log::error("answers.ledger.commit_failed",
                   {{"error", rd_kafka_error_string(commit.get())}});
        return make_kafka_error(rd_kafka_error_code(commit.get()));
      }
      failed = make_kafka_error(rd_kafka_error_code(commit.get()));
    }
    log::warn("answers.ledger.aborting", {{"reason", failed.message()}, {"attempt", attempt}});
    kafka::error_handle abort(rd_kafka_abort_transaction(p, call_timeout_ms));
    if (abort) return make_kafka_error(rd_kafka_error_code(abort.get()));
    if (attempt >= 5) return failed;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
  }
}

}  // namespace civic::answers
