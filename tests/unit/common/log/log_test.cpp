#include "common/log/log.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

using namespace civic;

TEST_CASE("log lines are single JSON objects with time, level, event and fields") {
  std::vector<std::string> lines;
  log::set_sink([&](std::string_view line) { lines.emplace_back(line); });
  log::info("gateway.listening", {{"address", "0.0.0.0:8080"}, {"threads", 2}, {"tls", false}});
  log::warn("odd \"event\"\nname", {{"ratio", 0.5}});
  log::set_sink(nullptr);

  REQUIRE(lines.size() == 2);
  for (const auto& line : lines) CHECK(line.find('\n') == std::string::npos);
  rapidjson::Document first;
  first.Parse(lines[0].c_str());
  REQUIRE(first.IsObject());
  CHECK(std::string(first["level"].GetString()) == "info");
  CHECK(std::string(first["event"].GetString()) == "gateway.listening");
  CHECK(std::string(first["address"].GetString()) == "0.0.0.0:8080");
  CHECK(first["threads"].GetInt() == 2);
  CHECK(first["tls"].GetBool() == false);
  CHECK(std::string(first["time"].GetString()).size() == 24);
  rapidjson::Document second;
  second.Parse(lines[1].c_str());
  REQUIRE(second.IsObject());
  CHECK(std::string(second["event"].GetString()) == "odd \"event\"\nname");
}

TEST_CASE("lines below the minimum level are not written") {
  int written = 0;
  log::set_sink([&](std::string_view) { ++written; });
  log::set_min_level(log::level::warn);
  log::info("quiet");
  log::debug("quieter");
  log::error("loud");
  log::set_min_level(log::level::info);
  log::set_sink(nullptr);
  CHECK(written == 1);
}
