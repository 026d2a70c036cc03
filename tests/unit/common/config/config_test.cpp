#include "common/config/config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

using namespace civic;

namespace {

constexpr config::option options[] = {
    {"gateway.listen", "0.0.0.0:8080", "Address to listen on."},
    {"gateway.threads", "2", "Worker threads.", config::value_type::integer, 1, 256},
    {"gateway.tls", "false", "Serve TLS.", config::value_type::boolean},
    {"kafka.bootstrap.servers", "127.0.0.1:9092", "Brokers."},
};

config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string write_temp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / "civic-config-test.conf";
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("defaults apply when nothing else is given") {
  auto s = config::load(options, {}, env_of({}));
  REQUIRE(s.has_value());
  CHECK(s->text("gateway.listen") == "0.0.0.0:8080");
  CHECK(s->integer("gateway.threads") == 2);
  CHECK_FALSE(s->boolean("gateway.tls"));
}

TEST_CASE("file, then environment, then flags: the last one wins") {
  std::string file = write_temp(
      "# comment\ngateway.listen = 127.0.0.1:1\ngateway.threads = 3\nkafka.linger.ms = 7\n");
  std::vector<std::string_view> args{"--config", file, "--gateway.threads=5"};
  auto s = config::load(options, args,
                        env_of({{"GATEWAY_LISTEN", "127.0.0.1:2"},
                                {"GATEWAY_THREADS", "4"},
                                {"KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092"}}));
  REQUIRE_MESSAGE(s.has_value(), s.error());
  CHECK(s->text("gateway.listen") == "127.0.0.1:2");
  CHECK(s->integer("gateway.threads") == 5);
  auto kafka = s->kafka_properties();
  CHECK(kafka::find_property(kafka, "bootstrap.servers") == "10.0.0.1:9092");
  CHECK(kafka::find_property(kafka, "linger.ms") == "7");
}

TEST_CASE("errors name the key and where the bad value came from") {
  std::string file = write_temp("gateway.listen = ok\nbogus.key = 1\n");
  std::vector<std::string_view> args{"--config", file};
  auto s = config::load(options, args, env_of({}));
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().find(":2: unknown key 'bogus.key'") != std::string::npos);

  auto env_error = config::load(options, {}, env_of({{"GATEWAY_THREADS", "many"}}));
  REQUIRE_FALSE(env_error.has_value());
  CHECK(env_error.error() == "environment GATEWAY_THREADS: gateway.threads: expected an integer");

  std::vector<std::string_view> range{"--gateway.threads", "0"};
  auto flag_error = config::load(options, range, env_of({}));
  REQUIRE_FALSE(flag_error.has_value());
  CHECK(flag_error.error() == "flag --gateway.threads: gateway.threads: must be between 1 and 256");
}

TEST_CASE("help lists every key with its environment variable and default") {
  std::string help = config::help_text("gateway", "test", options);
  for (const auto& o : options) {
    CHECK(help.find("--" + std::string(o.key)) != std::string::npos);
    CHECK(help.find(config::env_name(o.key)) != std::string::npos);
  }
  CHECK(help.find("default: 0.0.0.0:8080") != std::string::npos);
  CHECK(config::env_name("kafka.bootstrap.servers") == "KAFKA_BOOTSTRAP_SERVERS");
}
