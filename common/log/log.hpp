#pragma once
// Structured logs: one JSON object per line on stderr, e.g.
//   {"time":"2026-11-22T01:02:03.456Z","level":"info","event":"gateway.listening","address":"0.0.0.0:8080"}
// Events are stable dotted names; fields hold operational facts only. Never pass
// message text, handles, phone numbers, e-mail addresses or secrets as fields.

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace civic::log {

enum class level { debug, info, warn, error };

struct field {
  using value_type = std::variant<std::string_view, int64_t, uint64_t, double, bool>;

  field(std::string_view n, std::string_view v) : name(n), value(v) {}
  field(std::string_view n, const char* v) : name(n), value(std::string_view(v ? v : "")) {}
  field(std::string_view n, const std::string& v) : name(n), value(std::string_view(v)) {}
  field(std::string_view n, bool v) : name(n), value(v) {}
  field(std::string_view n, double v) : name(n), value(v) {}
  template <std::signed_integral I>
  field(std::string_view n, I v) : name(n), value(static_cast<int64_t>(v)) {}
  template <std::unsigned_integral I>
  requires(!std::same_as<I, bool>) field(std::string_view n, I v)
      : name(n), value(static_cast<uint64_t>(v)) {}

  std::string_view name;
  value_type value;
};

// "debug", "info", "warn" or "error"; false for anything else.
bool parse_level(std::string_view text, level& out);
void set_min_level(level min);
bool enabled(level l);

// Where finished lines go (default: stderr). Tests capture them here.
void set_sink(std::function<void(std::string_view line)> sink);

void write(level l, std::string_view event, std::initializer_list<field> fields);

inline void debug(std::string_view event, std::initializer_list<field> fields = {}) {
  if (enabled(level::debug)) write(level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<field> fields = {}) {
  write(level::info, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<field> fields = {}) {
  write(level::warn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<field> fields = {}) {
  write(level::error, event, fields);
}

}  // namespace civic::log
