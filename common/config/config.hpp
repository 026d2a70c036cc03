#pragma once
// Service configuration: every key is declared once with its type, default and
// description; values are read from a file (--config FILE, "key = value" lines),
// then overridden by environment variables (the key upper-cased, '.' and '-' as
// '_': gateway.listen -> GATEWAY_LISTEN), then by flags (--gateway.listen=HOST:PORT
// or --gateway.listen HOST:PORT). Keys under "kafka." that are not declared are
// passed through to librdkafka from the file and flags, so any client property
// can be set without a code change.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"
#include "common/kafka/client_config.hpp"

namespace civic::config {

enum class value_type { text, integer, boolean };

struct option {
  std::string_view key;
  std::string_view default_value;
  std::string_view description;
  value_type type = value_type::text;
  int64_t min = 0;  // integers only
  int64_t max = INT64_MAX;
};

// Keys every service has: Kafka bootstrap servers and log level.
std::span<const option> common_options();

std::string env_name(std::string_view key);

class settings {
 public:
  // The key must be declared; asserts otherwise (a programming error).
  const std::string& text(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;
  // Every "kafka.*" value, declared or passed through, prefix removed.
  kafka::properties kafka_properties() const;

 private:
  friend class loader;
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> kafka_passthrough_;
};

// Looks up an environment variable; the default reads the process environment.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// args excludes the program name. Errors name the key and where the value came from.
expected<settings, std::string> load(std::span<const option> options,
                                     std::span<const std::string_view> args,
                                     const env_lookup& env = process_env);

bool wants_help(std::span<const std::string_view> args);
// A table of every key: flag, environment variable, default and description.
std::string help_text(std::string_view program, std::string_view summary,
                      std::span<const option> options);

// Convenience for main(): argv[1..argc) as views.
std::vector<std::string_view> arguments(int argc, char** argv);

}  // namespace civic::config
