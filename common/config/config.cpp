#include "common/config/config.hpp"

#include <cassert>
#include <charconv>
#include <fstream>

#include "common/text/trim.hpp"

namespace civic::config {

namespace {

constexpr option common[] = {
    {"kafka.bootstrap.servers", "127.0.0.1:9092",
     "Kafka brokers to bootstrap from (host:port,...)."},
    {"log.level", "info", "Lowest log level written: debug, info, warn or error."},
};

bool parse_bool(std::string_view v, bool& out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return out = true, true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return out = false, true;
  return false;
}

}  // namespace

std::span<const option> common_options() { return common; }

std::string env_name(std::string_view key) {
  std::string name;
  for (char c : key) {
    if (c == '.' || c == '-')
      name += '_';
    else if (c >= 'a' && c <= 'z')
      name += static_cast<char>(c - 'a' + 'A');
    else
      name += c;
  }
  return name;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

class loader {
 public:
  explicit loader(std::span<const option> options) : options_(options) {
    for (const option& o : options_) result_.values_.emplace(o.key, o.default_value);
  }

  // Returns an error message, or empty when the value was taken.
  std::string set(std::string_view key, std::string_view value, std::string_view origin) {
    const option* declared = find(key);
    if (!declared) {
      if (key.starts_with("kafka.") && key.size() > 6) {
        result_.kafka_passthrough_[std::string(key.substr(6))] = std::string(value);
        return {};
      }
      return std::string(origin) + ": unknown key '" + std::string(key) + "' (see --help)";
    }
    if (std::string why = check(*declared, value); !why.empty()) {
      return std::string(origin) + ": " + std::string(key) + ": " + why;
    }
    result_.values_.find(key)->second = std::string(value);
    return {};
  }

  std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return "cannot read config file " + path;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::string_view text = civic::text::trim(line, " \t\r");  // CRLF files too
      if (text.empty() || text.front() == '#') continue;
      size_t eq = text.find('=');
      std::string origin = path + ":" + std::to_string(number);
      if (eq == std::string_view::npos) return origin + ": expected 'key = value'";
      if (auto err = set(civic::text::trim(text.substr(0, eq)),
                         civic::text::trim(text.substr(eq + 1), " \t\r"), origin);
          !err.empty()) {
        return err;
      }
    }
    return {};
  }

  std::string read_env(const env_lookup& env) {
    for (const option& o : options_) {
      std::string name = env_name(o.key);
      if (auto value = env(name)) {
        if (auto err = set(o.key, *value, "environment " + name); !err.empty()) return err;
      }
    }
    return {};
  }

  settings take() { return std::move(result_); }

 private:
  const option* find(std::string_view key) const {
    for (const option& o : options_) {
      if (o.key == key) return &o;
    }
    return nullptr;
  }

  static std::string check(const option& o, std::string_view value) {
    if (o.type == value_type::boolean) {
      bool ignored;
      return parse_bool(value, ignored) ? "" : "expected true or false";
    }
    if (o.type == value_type::integer) {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) return "expected an integer";
      if (n < o.min || n > o.max) {
        return "must be between " + std::to_string(o.min) + " and " + std::to_string(o.max);
      }
    }
    return {};
  }

  std::span<const option> options_;
  settings result_;
};

const std::string& settings::text(std::string_view key) const {
  auto it = values_.find(key);
  assert(it != values_.end() && "undeclared configuration key");
  return it->second;
}

int64_t settings::integer(std::string_view key) const {
  const std::string& v = text(key);
  int64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

bool settings::boolean(std::string_view key) const {
  bool b = false;
  parse_bool(text(key), b);
  return b;
}

kafka::properties settings::kafka_properties() const {
  kafka::properties props;
  for (const auto& [key, value] : values_) {
    if (key.starts_with("kafka.") && !value.empty()) props.emplace_back(key.substr(6), value);
  }
  for (const auto& [key, value] : kafka_passthrough_) props.emplace_back(key, value);
  return props;
}

expected<settings, std::string> load(std::span<const option> options,
                                     std::span<const std::string_view> args,
                                     const env_lookup& env) {
  // Flags are split first so that --config is known before anything is applied.
  std::vector<std::pair<std::string_view, std::string_view>> flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) return unexpected("unexpected argument '" + std::string(arg) + "'");
    arg.remove_prefix(2);
    std::string_view key = arg, value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return unexpected("flag --" + std::string(key) + " needs a value");
    }
    if (key == "config")
      config_file = std::string(value);
    else
      flags.emplace_back(key, value);
  }

  loader l(options);
  if (!config_file.empty()) {
    if (auto err = l.read_file(config_file); !err.empty()) return unexpected(err);
  }
  if (auto err = l.read_env(env); !err.empty()) return unexpected(err);
  for (const auto& [key, value] : flags) {
    if (auto err = l.set(key, value, "flag --" + std::string(key)); !err.empty()) {
      return unexpected(err);
    }
  }
  return l.take();
}

bool wants_help(std::span<const std::string_view> args) {
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

std::string help_text(std::string_view program, std::string_view summary,
                      std::span<const option> options) {
  std::string out;
  out.append(program).append(": ").append(summary).append("\n\n");
  out.append("Usage: ").append(program).append(" [--config FILE] [--KEY=VALUE ...]\n\n");
  out.append("Each key is read from the config file (key = value), then the environment\n");
  out.append("variable shown, then the flag --KEY; the last one found wins. Any other\n");
  out.append("librdkafka property can be given as kafka.<property> in the file or as a flag.\n\n");
  for (const option& o : options) {
    out.append("  --").append(o.key).append("  (env ").append(env_name(o.key)).append(")\n");
    out.append("      ").append(o.description).append("\n");
    out.append("      default: ").append(o.default_value.empty() ? "(empty)" : o.default_value);
    out.append("\n");
  }
  return out;
}

std::vector<std::string_view> arguments(int argc, char** argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace civic::config
