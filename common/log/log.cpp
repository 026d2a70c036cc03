#include "common/log/log.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

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

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

struct value_writer {
  json_writer& w;
  void operator()(std::string_view v) const { write_string(w, v); }
  void operator()(int64_t v) const { w.Int64(v); }
  void operator()(uint64_t v) const { w.Uint64(v); }
  void operator()(double v) const { w.Double(v); }
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
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("time");
  write_string(w, format_rfc3339_utc(std::chrono::system_clock::now()));
  w.Key("level");
  write_string(w, level_name(l));
  w.Key("event");
  write_string(w, event);
  for (const field& f : fields) {
    write_string(w, f.name);
    std::visit(value_writer{w}, f.value);
  }
  w.EndObject();
  std::string_view line(buffer.GetString(), buffer.GetSize());

  std::lock_guard lock(sink_mutex);
  if (custom_sink) {
    custom_sink(line);
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace civic::log
