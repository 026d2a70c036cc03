// Against the real broker: the dedup binary, killed with SIGKILL at random
// moments while reports stream in and restarted each time, still writes every
// report to feedback.unique exactly once (retries never), each with the case
// of its issue, every case with the right counts, and every unreadable record
// to the deadletter topic exactly once.
//
// Input: `groups` issues, each at its own place (2 km apart), reported
// `per_group` times by different citizens with the same text, plus a retry
// (same idempotency key, new envelope id) of every third report, plus a few
// records that are not envelopes. Whatever the order the partitions are read
// in, each issue is one case.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/envelope/cloudevents.hpp"
#include "common/envelope/envelope_json.hpp"
#include "common/id/uuid7.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "support/broker.hpp"
#include "support/paths.hpp"
#include "support/topic_reader.hpp"
#include "support/topics.hpp"

extern char** environ;

using namespace civic;
using namespace std::chrono_literals;

namespace {

constexpr int groups = 24;
constexpr int per_group = 12;
constexpr int garbage_records = 5;

struct topic_names {
  std::string input, repartition, changelog, unique, cases, deadletter;
};

struct sent_report {
  int group;
  std::string idempotency_key;
};

class dedup_process {
 public:
  dedup_process(std::vector<std::string> args, std::string log)
      : args_(std::move(args)), log_(std::move(log)) {}
  ~dedup_process() {
    if (pid_ > 0) kill_now();
  }

  void start() {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (auto& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, "cannot start " << args_[0]);
  }

  void kill_now() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // SIGTERM, then the exit status (0: graceful).
  int stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(100ms);
    }
    kill_now();
    return -1;
  }

 private:
  std::vector<std::string> args_;
  std::string log_;
  pid_t pid_ = -1;
};

struct read_record {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Every committed record of the topic, once the topic has been quiet for 3 s
// after at least `at_least` records (or after 90 s).
std::vector<read_record> read_all(const std::string& bootstrap, const std::string& topic,
                                  size_t at_least) {
  std::vector<read_record> out;
  test::read_until_quiet(
      bootstrap, topic, "read_committed", at_least, 90s, [&](const kafka::consumed_message& m) {
        read_record r{std::string(m.key()), std::string(m.value()), {}};
        for (const char* name : {"civic-case-id", "ce_id", "civic-deadletter-reason"}) {
          if (auto h = m.header(name)) r.headers[name] = std::string(*h);
        }
        out.push_back(std::move(r));
      });
  return out;
}

envelope::message make_report(int group, int index, const std::string& run) {
  envelope::message e;
  e.id = make_uuid7();
  e.received_at = "2026-11-30T01:00:00.000Z";
  e.channel = "open311";
  e.channel_message_id = run + "-" + std::to_string(group) + "-" + std::to_string(index);
  e.idempotency_key = "open311:" + e.channel_message_id;
  e.kind = envelope::feedback_kind::complaint;
  e.text = "도로에 큰 포트홀이 생겨서 차들이 빠지고 있어요. 보수 부탁드립니다 (" +
           std::to_string(group) + "번 지점)";
  e.language = "ko";
  // Groups 2.2 km apart along a north-south line through Seoul.
  e.place = envelope::location{37.46 + 0.02 * (group % 12), 126.90 + 0.1 * (group / 12),
                               std::nullopt, std::nullopt};
  return e;
}

}  // namespace

TEST_CASE("dedup killed with SIGKILL mid-stream and restarted writes every report exactly once") {
  const std::string bootstrap = test::required_broker();
  const char* binary = std::getenv("DEDUP_BINARY");
  REQUIRE_MESSAGE(binary != nullptr, "DEDUP_BINARY must name the dedup executable");

  const std::string run = make_uuid7();
  const std::string prefix = "dedup-it-" + run.substr(24) + ".";
  topic_names t{prefix + "ingested", prefix + "repartition", prefix + "changelog",
                prefix + "unique",   prefix + "cases",       prefix + "deadletter"};
  for (const auto& [name, partitions] :
       std::vector<std::pair<std::string, int>>{{t.input, 6},
                                                {t.repartition, 6},
                                                {t.changelog, 6},
                                                {t.unique, 3},
                                                {t.cases, 3},
                                                {t.deadletter, 1},
                                                {prefix + "responses", 1},
                                                {prefix + "deliveries", 1}}) {
    REQUIRE_MESSAGE(test::create_topic(bootstrap, name, partitions).empty(), "creating " << name);
  }

  std::string log = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                    "/dedup-kill9-" + run.substr(24) + ".log";
  dedup_process service(
      {binary, "--kafka.bootstrap.servers=" + bootstrap,
       "--dedup.rules=" + (test::source_dir() / "deploy/config/rules/seoul.yaml").string(),
       "--dedup.sla.holidays=" +
           (test::source_dir() / "deploy/config/holidays/kr-2026-2027.txt").string(),
       // Exactly once is what is tested here, on the rules alone; the sentence
       // model's matching has its own tests (dedup_model_corpus_f1_test).
       "--dedup.model=", "--dedup.group_id=" + prefix + "group",
       "--dedup.transactional_id=" + prefix + "dedup-0", "--dedup.topic.input=" + t.input,
       "--dedup.topic.repartition=" + t.repartition, "--dedup.topic.changelog=" + t.changelog,
       "--dedup.topic.unique=" + t.unique, "--dedup.topic.cases=" + t.cases,
       "--dedup.topic.deadletter=" + t.deadletter,
       // The answer loop's inputs: private and empty, so no other test's records arrive.
       "--dedup.topic.responses=" + prefix + "responses",
       "--dedup.topic.deliveries=" + prefix + "deliveries", "--dedup.max_batch_records=15",
       "--dedup.max_batch_wait_ms=20", "--dedup.ops_listen=127.0.0.1:0",
       "--kafka.session.timeout.ms=10000", "--log.level=warn"},
      log);
  MESSAGE("dedup log: " << log);

  // Reports in a shuffled order; a retry of every third one 20 to 120 records
  // later, so that originals and retries fall on both sides of the kills.
  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  std::vector<std::pair<envelope::message, int>> reports;  // envelope, group
  for (int g = 0; g < groups; ++g) {
    for (int i = 0; i < per_group; ++i) reports.emplace_back(make_report(g, i, run), g);
  }
  std::shuffle(reports.begin(), reports.end(), random);
  std::vector<std::pair<envelope::message, int>> stream = reports;
  std::map<int, int> retries_per_group;
  std::uniform_int_distribution<size_t> later(20, 120);
  for (size_t i = 0; i < reports.size(); i += 3) {
    auto retry = reports[i];
    retry.first.id = make_uuid7();  // a resend gets a new envelope id, the same idempotency key
    size_t at = std::min(stream.size(), i + later(random));
    stream.insert(stream.begin() + static_cast<std::ptrdiff_t>(at), retry);
    ++retries_per_group[retry.second];
  }

  std::atomic<bool> producing{true};
  std::thread producer_thread([&] {
    auto producer = kafka::producer::create({{"bootstrap.servers", bootstrap}});
    REQUIRE(producer.has_value());
    std::atomic<int> failed{0};
    auto on_report = [&](const kafka::delivery_report& r) {
      if (r.error) ++failed;
    };
    for (size_t i = 0; i < stream.size(); ++i) {
      const auto& e = stream[i].first;
      REQUIRE_FALSE((*producer)->produce({t.input, e.idempotency_key, envelope::to_json(e),
                                          envelope::cloudevents_headers(e, std::nullopt)},
                                         on_report));
      if (i % 40 == 0) {
        REQUIRE_FALSE((*producer)->produce(
            {t.input, "garbage-" + std::to_string(i), "{not an envelope", {}}, on_report));
      }
      std::this_thread::sleep_for(40ms);
    }
    REQUIRE_FALSE((*producer)->flush(30s));
    CHECK(failed == 0);
    producing = false;
  });

  // Kill at random moments while the service is working: after it has
  // committed new output since its last start, within the next 0.4 s.
  auto progress = kafka::consumer::create({{"bootstrap.servers", bootstrap},
                                           {"group.id", "dedup-it-progress-" + make_uuid7()},
                                           {"isolation.level", "read_committed"}});
  REQUIRE(progress.has_value());
  REQUIRE_FALSE((*progress)->subscribe({t.unique}));
  size_t committed = 0;
  auto committed_output = [&] {
    for (;;) {
      auto polled = (*progress)->poll(100ms);
      REQUIRE(polled.has_value());
      if (!*polled) return committed;
      ++committed;
    }
  };
  service.start();
  std::uniform_int_distribution<int> pause_ms(0, 400);
  int kills = 0;
  while (kills < 6) {
    size_t before = committed_output();
    // Once the stream has ended, a service with nothing left to do stays quiet.
    auto deadline = std::chrono::steady_clock::now() + (producing ? 60s : 8s);
    while (committed_output() == before && std::chrono::steady_clock::now() < deadline) {
    }
    if (committed == before) break;  // no progress: nothing left to interrupt
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    service.kill_now();
    ++kills;
    service.start();
  }
  CHECK(kills >= 3);
  producer_thread.join();
  int garbage = static_cast<int>((stream.size() + 39) / 40);
  MESSAGE(kills << " kill -9 and restarts while working; " << stream.size() << " envelopes ("
                << reports.size() << " reports) and " << garbage << " unreadable records produced");

  auto unique = read_all(bootstrap, t.unique, reports.size());
  auto cases = read_all(bootstrap, t.cases, 1);
  auto deadletters = read_all(bootstrap, t.deadletter, static_cast<size_t>(garbage));
  CHECK(service.stop() == 0);

  // One instance owns every partition, so step 1's records went straight to step 2
  // in the same transaction: nothing, not even in an aborted transaction, was
  // written to the repartition topic (what is checked above is that path).
  size_t repartitioned = 0;
  test::read_until_quiet(bootstrap, t.repartition, "read_uncommitted", 0, 90s,
                         [&](const kafka::consumed_message&) { ++repartitioned; });
  CHECK(repartitioned == 0);

  // Every report once on feedback.unique, retries never.
  std::map<std::string, int> by_key;
  std::map<int, std::set<std::string>> cases_of_group;
  std::map<std::string, int> group_of_key;
  for (const auto& [e, g] : reports) group_of_key[e.idempotency_key] = g;
  for (const auto& r : unique) {
    auto parsed = envelope::parse_json(r.value);
    REQUIRE(parsed.has_value());
    ++by_key[parsed->idempotency_key];
    REQUIRE(r.headers.count("civic-case-id") == 1);
    CHECK(r.headers.at("ce_id") == parsed->id);
    cases_of_group[group_of_key.at(parsed->idempotency_key)].insert(r.headers.at("civic-case-id"));
  }
  CHECK(unique.size() == reports.size());
  CHECK(by_key.size() == reports.size());
  for (const auto& [key, count] : by_key)
    CHECK_MESSAGE(count == 1, key << " written " << count << " times");

  // One case per issue, distinct across issues, with the right counts.
  std::set<std::string> all_cases;
  for (int g = 0; g < groups; ++g) {
    CHECK_MESSAGE(cases_of_group[g].size() == 1,
                  "issue " << g << " split into " << cases_of_group[g].size());
    all_cases.insert(cases_of_group[g].begin(), cases_of_group[g].end());
  }
  CHECK(all_cases.size() == static_cast<size_t>(groups));
  std::map<std::string, std::string> latest_case;
  for (const auto& r : cases) latest_case[r.key] = r.value;  // one partition per key: in order
  for (int g = 0; g < groups; ++g) {
    if (cases_of_group[g].size() != 1) continue;
    const std::string& id = *cases_of_group[g].begin();
    REQUIRE(latest_case.count(id) == 1);
    rapidjson::Document doc;
    doc.Parse(latest_case[id].c_str());
    REQUIRE(doc.IsObject());
    CHECK(doc["report_count"].GetUint64() == static_cast<uint64_t>(per_group));
    CHECK(doc["duplicates_dropped"].GetUint64() == static_cast<uint64_t>(retries_per_group[g]));
    CHECK(doc["members"].Size() == static_cast<rapidjson::SizeType>(per_group));
  }

  // Each unreadable record once on the deadletter topic, with a reason.
  std::map<std::string, int> dead;
  for (const auto& r : deadletters) {
    ++dead[r.key];
    CHECK(r.headers.count("civic-deadletter-reason") == 1);
  }
  CHECK(dead.size() == static_cast<size_t>(garbage));
  for (const auto& [key, count] : dead)
    CHECK_MESSAGE(count == 1, key << " dead-lettered " << count << " times");
}
