#include "gateway/open/export_command.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/config/program.hpp"
#include "common/kafka/compacted_reader.hpp"
#include "common/kafka/handles.hpp"
#include "common/sla/working_calendar.hpp"
#include "gateway/open/catalog.hpp"
#include "gateway/open/daily_export.hpp"
#include "gateway/open/options.hpp"
#include "gateway/options.hpp"

namespace civic::gateway::open {
namespace {

constexpr config::option export_options[] = {
    {"day", "", "The day to export, YYYY-MM-DD in the city's time (open.utc_offset_minutes)."},
    {"out", "", "Directory (or mounted object-store path) to write to; default open.export_dir."},
};

int partitions_of(const kafka::properties& props, const std::string& topic, std::string& error) {
  auto conf = kafka::make_conf(props);
  if (!conf) {
    error = conf.error();
    return 0;
  }
  std::array<char, 512> errstr{};
  kafka::client_handle client(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr.data(), errstr.size()));
  if (!client) {
    error = errstr.data();
    return 0;
  }
  conf.value().release();
  rd_kafka_topic_t* t = rd_kafka_topic_new(client.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  int count = 0;
  auto err = rd_kafka_metadata(client.get(), 0, t, &metadata, 10000);
  if (!err && metadata->topic_cnt == 1 && !metadata->topics[0].err) {
    count = metadata->topics[0].partition_cnt;
  } else {
    error =
        "topic " + topic + " not found: " + rd_kafka_err2str(err ? err : metadata->topics[0].err);
  }
  if (metadata) rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(t);
  return count;
}

bool write_atomically(const std::filesystem::path& path, const std::string& bytes) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

int run_export_command(std::span<const std::string_view> args) {
  std::vector<config::option> all(std::begin(export_options), std::end(export_options));
  for (const auto& o : gateway::options()) all.push_back(o);
  const config::program program{
      "gateway open-export",
      "writes one day's open data (CSV, JSON Lines, data dictionary) from the cases topic"};
  auto s = config::start(program, all, args);
  if (!s) return s.error();
  auto day = sla::parse_day(s->text("day"));
  const std::string& out_dir = s->text("out").empty() ? s->text("open.export_dir") : s->text("out");
  if (!day || out_dir.empty()) {
    return config::refuse(program, "needs --day=YYYY-MM-DD and --out=DIR (or open.export_dir)");
  }
  const std::string& author_key = s->text("gateway.author_key");
  if (s->text("open.public_id_key").empty() && author_key.size() < 16) {
    return config::refuse(program,
                          "needs open.public_id_key or gateway.author_key (the gateway's, so the "
                          "ids match the API's)");
  }
  auto settings = make_open_settings(*s, author_key);
  if (!settings) {
    return config::refuse(program, settings.error());
  }
  const std::string& topic = s->text("gateway.answers.cases_topic");
  kafka::properties props = s->kafka_properties();
  std::string error;
  int partitions = partitions_of(props, topic, error);
  if (partitions <= 0) {
    std::fprintf(stderr, "gateway open-export: %s\n", error.c_str());
    return 1;
  }
  std::vector<int32_t> list;
  for (int32_t p = 0; p < partitions; ++p) list.push_back(p);
  catalog cases(settings->id_key);
  auto failed = kafka::read_compacted(
      props, topic, list, std::chrono::seconds(120),
      [&cases](int32_t, std::string_view key, std::optional<std::string_view> value) {
        cases.apply(key, value);
      });
  if (failed) {
    std::fprintf(stderr, "gateway open-export: reading %s: %s\n", topic.c_str(), failed->c_str());
    return 1;
  }
  auto snapshot = cases.snapshot();
  auto files = build_export(*snapshot, *day, settings->utc_offset_minutes);
  std::filesystem::path out(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  const std::string name = "open-cases-" + s->text("day");
  if (!write_atomically(out / (name + ".csv"), files.csv) ||
      !write_atomically(out / (name + ".jsonl"), files.jsonl) ||
      !write_atomically(out / "open-cases-dictionary.csv", files.dictionary_csv)) {
    std::fprintf(stderr, "gateway open-export: cannot write to %s\n", out.c_str());
    return 1;
  }
  std::printf("{\"day\":\"%s\",\"rows\":%zu,\"cases_read\":%zu,\"out\":\"%s\"}\n",
              s->text("day").c_str(), files.rows, snapshot->size(), out.c_str());
  return 0;
}

}  // namespace civic::gateway::open
