#pragma once
// What every program's main() does first: answer --help, load the settings and
// take the log level from them, with one wording for every refusal.

#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "common/config/config.hpp"
#include "common/error/expected.hpp"

namespace civic::config {

struct program {
  std::string_view name;     // "dedup"
  std::string_view summary;  // one line for --help
};

// The settings, or the exit code main() returns: 0 after printing --help, 2
// after printing why the settings cannot be used (naming the key) on stderr.
// Sets the log level when the options declare log.level.
expected<settings, int> start(const program& p, std::span<const option> options,
                              std::span<const std::string_view> args);

// Prints "<program>: <reason>" on stderr and returns 2, for main() to return.
int refuse(const program& p, std::string_view reason);

// The tables' options followed by common_options(): a program's whole list.
std::vector<option> with_common_options(std::initializer_list<std::span<const option>> tables);

}  // namespace civic::config
