#pragma once
// Writes a rules file for one test into a fresh temporary folder.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "support/paths.hpp"

namespace civic::test {

class rules_fixture {
 public:
  explicit rules_fixture(std::string_view yaml) {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("civic-rules-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    write(yaml);
  }
  ~rules_fixture() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void write(std::string_view yaml) const {
    std::ofstream out(path(), std::ios::binary | std::ios::trunc);
    out << yaml;
  }
  std::filesystem::path path() const { return dir_ / "rules.yaml"; }

  static std::filesystem::path shipped_rules() {
    return source_dir() / "deploy/config/rules/seoul.yaml";
  }
  static std::string shipped_boundaries() {
    return (source_dir() / "deploy/config/districts/seoul-gu.geojson").string();
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace civic::test
