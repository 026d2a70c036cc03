// Against the real broker: the transactional processor turns every input record
// into exactly one visible output record, across an aborted transaction and a
// restart of the service that continues from the committed offsets.

#include "common/kafka/transactional_processor.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/id/uuid7.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "support/broker.hpp"
#include "support/topic_reader.hpp"
#include "support/topics.hpp"

using namespace civic;
using namespace std::chrono_literals;

namespace {

constexpr int input_count = 1000;

void produce_inputs(const std::string& bootstrap, const std::string& topic) {
  auto producer = kafka::producer::create({{"bootstrap.servers", bootstrap}});
  REQUIRE(producer.has_value());
  std::atomic<int> stored{0};
  for (int i = 0; i < input_count; ++i) {
    kafka::record rec{topic, "k" + std::to_string(i), "v" + std::to_string(i), {}};
    REQUIRE_FALSE((*producer)->produce(std::move(rec), [&](const kafka::delivery_report& r) {
      if (!r.error) ++stored;
    }));
  }
  REQUIRE_FALSE((*producer)->flush(30s));
  REQUIRE(stored == input_count);
}

// Every record of the topic, read with the given isolation level, as value -> count.
std::map<std::string, int> read_all(const std::string& bootstrap, const std::string& topic,
                                    const std::string& isolation, size_t at_least) {
  std::map<std::string, int> seen;
  test::read_until_quiet(bootstrap, topic, isolation, at_least, 30s,
                         [&](const kafka::consumed_message& m) { ++seen[std::string(m.value())]; });
  return seen;
}

}  // namespace

TEST_CASE("every input becomes exactly one committed output across aborts and a restart") {
  const std::string bootstrap = test::required_broker();
  const std::string run = make_uuid7();
  const std::string input = "txn-test-in-" + run, output = "txn-test-out-" + run;
  REQUIRE(test::create_topic(bootstrap, input, 3) == "");
  REQUIRE(test::create_topic(bootstrap, output, 3) == "");
  produce_inputs(bootstrap, input);

  kafka::transactional_processor::settings settings;
  // A record for a missing topic fails in 2 s instead of librdkafka's 30 s default.
  settings.kafka = {{"bootstrap.servers", bootstrap},
                    {"topic.metadata.propagation.max.ms", "2000"},
                    {"message.timeout.ms", "5000"}};
  settings.group_id = "txn-test-" + run;
  settings.transactional_id = "txn-test-" + run;
  settings.input_topics = {input};
  settings.max_batch_records = 50;

  std::atomic<uint64_t> committed_inputs{0};
  std::atomic<int> aborts_seen{0};
  std::set<int32_t> read_from;  // partitions the current instance consumed from
  bool failed_once = false, threw_once = false;
  auto make_handlers = [&](kafka::transactional_processor*& self, uint64_t stop_after) {
    kafka::transactional_processor::handlers h;
    h.process = [&](std::span<const kafka::consumed_message> batch,
                    std::vector<kafka::record>& out) {
      for (const auto& m : batch) {
        read_from.insert(m.partition());
        // A service that throws is treated like one that failed: abort, read again.
        if (m.key() == "k700" && !threw_once) {
          threw_once = true;
          throw std::runtime_error("transform failed");
        }
        // The first time k500 comes, its output goes to a topic that does not exist:
        // the delivery fails, so the commit fails and the whole transaction is
        // aborted after the batch's other outputs were written to the log.
        bool fail_here = m.key() == "k500" && !failed_once;
        failed_once = failed_once || fail_here;
        out.push_back({fail_here ? "txn-test-missing-" + run : output,
                       std::string(m.key()),
                       "out:" + std::string(m.value()),
                       {}});
      }
      return std::error_code{};
    };
    h.on_aborted = [&] { ++aborts_seen; };
    h.on_committed = [&, stop_after](size_t in, size_t) {
      if ((committed_inputs += in) >= stop_after && self) self->stop();
    };
    return h;
  };

  // First instance: stops after about 400 inputs, as a deploy would stop it.
  {
    kafka::transactional_processor* self = nullptr;
    auto first = kafka::transactional_processor::create(settings, make_handlers(self, 400));
    REQUIRE_MESSAGE(first.has_value(), (first ? "" : first.error()));
    self = first->get();
    CHECK_FALSE((*first)->run());
  }
  uint64_t after_first = committed_inputs;
  CHECK(after_first >= 400);
  CHECK(after_first < input_count);

  // Second instance, same group and transactional id: continues where the first stopped.
  {
    kafka::transactional_processor* self = nullptr;
    read_from.clear();
    auto second =
        kafka::transactional_processor::create(settings, make_handlers(self, input_count));
    REQUIRE(second.has_value());
    self = second->get();
    std::thread watchdog([&] {
      for (int i = 0; i < 600 && committed_inputs < input_count; ++i)
        std::this_thread::sleep_for(100ms);
      self->stop();
    });
    CHECK_FALSE((*second)->run());
    watchdog.join();
    // What the operations endpoints report: joined, nothing failing, all read.
    const auto& health = (*second)->state();
    CHECK(health.joined);
    CHECK(health.restores >= 1);
    CHECK(health.aborts_in_a_row == 0);
    CHECK(health.last_commit_ns > 0);
    auto lag = (*second)->lag();
    CHECK(lag.size() == 3);
    // A partition this instance read from is caught up; one the first instance had
    // already finished has no position here yet, which lag reports as unknown (-1).
    for (const auto& p : lag) {
      if (read_from.contains(p.partition)) {
        CHECK_MESSAGE(p.lag == 0, p.topic, "/", p.partition);
      } else {
        CHECK_MESSAGE((p.lag == 0 || p.lag == -1), p.topic, "/", p.partition);
      }
    }
    CHECK_FALSE(read_from.empty());
    // Draining: leaving the group gives the partitions up before the clients close.
    (*second)->leave_group();
    CHECK(health.assigned_partitions == 0);
    CHECK((*second)->lag().empty());
  }
  CHECK(aborts_seen == 2);
  CHECK(committed_inputs == input_count);

  auto committed = read_all(bootstrap, output, "read_committed", input_count);
  CHECK(committed.size() == input_count);
  int duplicates = 0;
  for (const auto& [value, count] : committed) duplicates += count - 1;
  CHECK(duplicates == 0);
  for (int i = 0; i < input_count; i += 97) CHECK(committed.contains("out:v" + std::to_string(i)));

  // The aborted transaction's records are in the log, invisible to read_committed.
  auto uncommitted = read_all(bootstrap, output, "read_uncommitted", input_count + 1);
  size_t raw_total = 0;
  for (const auto& [value, count] : uncommitted) raw_total += static_cast<size_t>(count);
  CHECK(raw_total > input_count);
}

TEST_CASE("a record that fails every time stops the service instead of stalling in silence") {
  const std::string bootstrap = test::required_broker();
  const std::string run = make_uuid7();
  const std::string input = "txn-poison-in-" + run, output = "txn-poison-out-" + run;
  REQUIRE(test::create_topic(bootstrap, input, 1) == "");
  REQUIRE(test::create_topic(bootstrap, output, 1) == "");
  {
    auto producer = kafka::producer::create({{"bootstrap.servers", bootstrap}});
    REQUIRE(producer.has_value());
    for (const char* key : {"a", "b", "poison", "c"}) {
      REQUIRE_FALSE(
          (*producer)->produce({input, key, key, {}}, [](const kafka::delivery_report&) {}));
    }
    REQUIRE_FALSE((*producer)->flush(30s));
  }

  kafka::transactional_processor::settings settings;
  settings.kafka = {{"bootstrap.servers", bootstrap}};
  settings.group_id = settings.transactional_id = "txn-poison-" + run;
  settings.input_topics = {input};
  settings.max_batch_records = 1;  // one record per transaction
  settings.max_consecutive_aborts = 3;
  int attempts_on_poison = 0;
  kafka::transactional_processor::handlers h;
  h.process = [&](std::span<const kafka::consumed_message> batch, std::vector<kafka::record>& out) {
    for (const auto& m : batch) {
      if (m.key() == "poison") {
        ++attempts_on_poison;
        return std::make_error_code(std::errc::invalid_argument);
      }
      out.push_back({output, std::string(m.key()), std::string(m.value()), {}});
    }
    return std::error_code{};
  };
  auto processor = kafka::transactional_processor::create(settings, h);
  REQUIRE(processor.has_value());
  std::error_code result = (*processor)->run();
  CHECK(result == std::make_error_code(std::errc::invalid_argument));
  CHECK(attempts_on_poison == 3);

  // What came before the poison is committed; nothing after it got past.
  auto committed = read_all(bootstrap, output, "read_committed", 2);
  CHECK(committed == std::map<std::string, int>{{"a", 1}, {"b", 1}});
}
