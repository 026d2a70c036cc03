#include "common/time/rfc3339.hpp"

#include <cstdio>

namespace civic {
namespace {

bool read_digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::string format_rfc3339_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = time_point_cast<milliseconds>(t);
  auto days = floor<std::chrono::days>(ms);
  year_month_day ymd{days};
  hh_mm_ss hms{ms - days};
  int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {
    // Written digit by digit: snprintf's format parsing cost more than the rest.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](size_t pos, unsigned value, int width) {
      for (int i = width - 1; i >= 0; --i, value /= 10)
        out[pos + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(year), 4);
    put(5, static_cast<unsigned>(ymd.month()), 2);
    put(8, static_cast<unsigned>(ymd.day()), 2);
    put(11, static_cast<unsigned>(hms.hours().count()), 2);
    put(14, static_cast<unsigned>(hms.minutes().count()), 2);
    put(17, static_cast<unsigned>(hms.seconds().count()), 2);
    put(20, static_cast<unsigned>(hms.subseconds().count()), 3);
    return out;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  if (!read_digits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' ||
      !read_digits(text, 5, 2, mo) || text[7] != '-' || !read_digits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't') || !read_digits(text, 11, 2, h) || text[13] != ':' ||
      !read_digits(text, 14, 2, mi) || text[16] != ':' || !read_digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  // system_clock counts nanoseconds in 64 bits (years 1678 to 2262); anything
  // outside 1900-2200 is no date a message was written on.
  if (y < 1900 || y > 2200) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;

  size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 1'000'000'000;
    int64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 1) {
        scale /= 10;
        value += (text[pos] - '0') * scale;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    fraction = nanoseconds{value};
  }
  if (pos >= text.size()) return std::nullopt;
  minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = hours{oh} + minutes{om};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  auto local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  return time_point_cast<system_clock::duration>(local - offset + fraction);
}

}  // namespace civic
