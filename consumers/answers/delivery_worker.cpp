#include "consumers/answers/delivery_worker.hpp"

#include <array>
#include <chrono>

#include "common/kafka/handles.hpp"
#include "common/kafka/librdkafka_log.hpp"
#include "common/log/log.hpp"
#include "consumers/answers/delivery.hpp"
#include "consumers/answers/delivery_book.hpp"
#include "consumers/answers/ledger_writer.hpp"

namespace civic::answers {
namespace {

using namespace std::chrono_literals;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

kafka::client_handle ledger_reader(const worker_shared& shared, int32_t partition,
                                   std::string& error) {
  kafka::properties props = shared.kafka;
  props.insert(props.end(), {{"group.id", "answers-ledger-reader"},
                             {"isolation.level", "read_committed"},
                             {"enable.partition.eof", "true"},
                             {"enable.auto.commit", "false"},
                             {"auto.offset.reset", "earliest"},
                             {"fetch.wait.max.ms", "50"}});
  auto conf = kafka::make_conf(props);
  if (!conf) {
    error = conf.error();
    return {};
  }
  kafka::route_librdkafka_logs(conf->get());
  std::array<char, 512> errstr{};
  kafka::client_handle reader(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr.data(), errstr.size()));
  if (!reader) {
    error = errstr.data();
    return {};
  }
  conf->release();
  kafka::partition_list_handle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), shared.names.ledger.c_str(), partition)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  if (auto err = rd_kafka_assign(reader.get(), list.get())) {
    error = rd_kafka_err2str(err);
    return {};
  }
  return reader;
}

}  // namespace

delivery_worker::delivery_worker(int32_t partition, const worker_shared& shared,
                                 worker_counters& counters)
    : partition_(partition), shared_(shared), counters_(counters) {}

delivery_worker::~delivery_worker() { stop(); }

void delivery_worker::start() {
  thread_ = std::thread([this] {
    run();
    if (!stopping_.load() && shared_.on_failed) shared_.on_failed(partition_);
  });
}

void delivery_worker::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void delivery_worker::run() {
  auto stoppable_sleep = [this](std::chrono::milliseconds wait) {
    auto until = std::chrono::steady_clock::now() + wait;
    while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(20ms);
    }
  };
  std::string transactional_id = shared_.transactional_prefix + std::to_string(partition_);
  std::unique_ptr<ledger_writer> writer;
  for (int attempt = 0; !stopping_.load(); ++attempt) {
    auto created = ledger_writer::create(shared_.kafka, transactional_id);
    if (created) {
      writer = std::move(*created);
      break;
    }
    log::warn("answers.worker.start_failed",
              {{"partition", partition_}, {"error", created.error()}});
    stoppable_sleep(std::min<std::chrono::milliseconds>(1000ms * (1 << std::min(attempt, 5)), 30s));
  }
  if (!writer) return;
  std::string error;
  kafka::client_handle reader = ledger_reader(shared_, partition_, error);
  if (!reader) {
    log::error("answers.worker.reader_failed", {{"partition", partition_}, {"error", error}});
    return;
  }

  delivery_book book(shared_.settings.summary_interval);
  http_client http(shared_.settings.http);
  bool restored = false;
  while (!stopping_.load()) {
    // Take in everything the ledger has now; wait a little only when idle.
    bool first = true;
    for (;;) {
      int timeout = first && (!restored || book.jobs() == 0) ? 100 : 0;
      first = false;
      kafka::message_handle msg(rd_kafka_consumer_poll(reader.get(), timeout));
      if (!msg) break;
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!restored) {
          restored = true;
          book.restored();
          log::info("answers.worker.restored",
                    {{"partition", partition_},
                     {"jobs", book.jobs()},
                     {"updates_in_progress", book.updates_in_progress()}});
        }
        continue;
      }
      if (msg->err) {
        log::warn("answers.worker.ledger_error",
                  {{"partition", partition_}, {"error", rd_kafka_message_errstr(msg.get())}});
        if (msg->err == RD_KAFKA_RESP_ERR__FATAL) return;
        continue;
      }
      std::string_view key(static_cast<const char*>(msg->key), msg->key_len);
      std::optional<std::string_view> value;
      if (msg->payload) value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
      book.apply(key, value, wall_ms());
    }
    if (!restored || stopping_.load()) continue;
    auto job = book.next();
    if (!job) continue;

    delivery_context ctx;
    auto client = shared_.clients.find(job->channel);
    ctx.client = client == shared_.clients.end() ? nullptr : client->second;
    ctx.http = &http;
    ctx.rates = shared_.rates;
    ctx.settings = &shared_.settings;
    ctx.opener = shared_.opener;
    ctx.handle_usable = book.handle_usable(*job);
    ctx.stopping = [this] { return stopping_.load(); };
    ctx.sleep = stoppable_sleep;
    ctx.record = [&](const ledger_entry& e) {
      if (e.state == job_state::attempting) {
        book.attempting(e, wall_ms());
        counters_.requests.fetch_add(1);
      }
      return writer->write({{shared_.names.ledger,
                             ledger_key(e.update_id, e.recipient),
                             to_json(e),
                             {},
                             partition_}});
    };
    delivery_result result = deliver(std::move(*job), ctx);
    if (result.error) {
      counters_.fenced.fetch_add(1);
      log::error("answers.worker.write_failed",
                 {{"partition", partition_}, {"error", result.error.message()}});
      return;
    }
    if (!result.finished) continue;  // stopping: the next owner takes the job as recorded
    auto records =
        book.finish(result.entry, shared_.names, partition_, std::chrono::steady_clock::now());
    if (auto failed = writer->write(records)) {
      counters_.fenced.fetch_add(1);
      log::error("answers.worker.write_failed",
                 {{"partition", partition_}, {"error", failed.message()}});
      return;
    }
    counters_.finished.fetch_add(1);
    counters_.outcomes[static_cast<size_t>(*result.entry.outcome)].fetch_add(1);
    log::info("answers.delivery", {{"partition", partition_},
                                   {"case_id", result.entry.case_id},
                                   {"update_id", result.entry.update_id},
                                   {"channel", result.entry.channel},
                                   {"mode", result.entry.mode},
                                   {"outcome", responses::to_string(*result.entry.outcome)},
                                   {"attempts", result.entry.attempts}});
  }
}

}  // namespace civic::answers
