#include "common/config/program.hpp"

#include <cstdio>
#include <string>

#include "common/log/log.hpp"

namespace civic::config {

int refuse(const program& p, std::string_view reason) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(p.name.size()), p.name.data(),
               static_cast<int>(reason.size()), reason.data());
  return 2;
}

expected<settings, int> start(const program& p, std::span<const option> options,
                              std::span<const std::string_view> args) {
  if (wants_help(args)) {
    std::fputs(help_text(p.name, p.summary, options).c_str(), stdout);
    return unexpected(0);
  }
  auto loaded = load(options, args);
  if (!loaded) return unexpected(refuse(p, loaded.error()));
  for (const auto& o : options) {
    if (o.key != "log.level") continue;
    log::level level;
    if (!log::parse_level(loaded->text("log.level"), level)) {
      return unexpected(refuse(p, "log.level must be debug, info, warn or error"));
    }
    log::set_min_level(level);
  }
  return std::move(*loaded);
}

std::vector<option> with_common_options(std::initializer_list<std::span<const option>> tables) {
  std::vector<option> all;
  for (auto table : tables) all.insert(all.end(), table.begin(), table.end());
  auto common = common_options();
  all.insert(all.end(), common.begin(), common.end());
  return all;
}

}  // namespace civic::config
