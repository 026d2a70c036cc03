#include "common/log/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "common/json/writer.hpp"
#include "common/time/rfc3339.hpp"

namespace civic::log {
namespace {

std::atomic<level> min_level{level::info};
std::mutex sink_mutex;
std::function<void(std::string_view)> custom_sink;

std::string_view level_name(level l) {
  switch (l) {
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
  }
  return "info";
}

using json_writer = json::writer;

struct value_writer {
  json_writer& w;
  void operator()(std::string_view v) const { w.string(v); }
  void operator()(int64_t v) const { w.Int64(v); }
  void operator()(uint64_t v) const { w.Uint64(v); }
  void operator()(double v) const { w.number(v); }
  void operator()(bool v) const { w.Bool(v); }
};

}  // namespace

bool parse_level(std::string_view text, level& out) {
  for (level l : {level::debug, level::info, level::warn, level::error}) {
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void set_min_level(level min) { min_level = min; }
bool enabled(level l) { return l >= min_level.load(std::memory_order_relaxed); }

void set_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(sink_mutex);
  custom_sink = std::move(sink);
}

void write(level l, std::string_view event, std::initializer_list<field> fields) {
  if (!enabled(l)) return;
  json::writer w;
  w.StartObject();
  w.member("time", format_rfc3339_utc(std::chrono::system_clock::now()));
  w.member("level", level_name(l));
  w.member("event", event);
  for (const field& f : fields) {
    w.string(f.name);
    std::visit(value_writer{w}, f.value);
  }
  w.EndObject();
  std::string_view line = w.view();

  std::lock_guard lock(sink_mutex);
  if (custom_sink) {
    custom_sink(line);
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace civic::log
