#pragma once
// Writing JSON with RapidJSON a member a line: w.member("id", c.id). Every
// record and answer the project writes goes through this, so a member's shape
// (a string, null for an absent optional, an array of strings) is decided once.
// Include only from .cpp files: rapidjson is large.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <concepts>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace civic::json {

namespace detail {
struct buffer_holder {
  rapidjson::StringBuffer buffer;
};

// True when JSON needs no escape in `s` (no control character, quote or
// backslash). Blocks of 16 with no early exit, so that the compiler vectorizes
// them: RapidJSON escapes a byte at a time, which was the largest single cost of
// writing an envelope (perf, bench/ingest). Not RAPIDJSON_SSE2 (see
// cmake/CivicDependencies.cmake).
inline bool needs_no_escape(const char* s, size_t n) {
  auto bad = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return static_cast<unsigned char>((c < 0x20) | (c == '"') | (c == '\\'));
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    unsigned char block = 0;
    for (size_t j = 0; j < 16; ++j) block |= bad(s[i + j]);
    if (block) return false;
  }
  unsigned char rest = 0;
  for (; i < n; ++i) rest |= bad(s[i]);
  return rest == 0;
}
}  // namespace detail

class writer : private detail::buffer_holder, public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  writer() : rapidjson::Writer<rapidjson::StringBuffer>(buffer) {}
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  writer& key(std::string_view k) {
    Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  writer& string(std::string_view s) {
    String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return *this;
  }
  // RapidJSON's String, with text that needs no escape copied whole.
  bool String(const char* s, rapidjson::SizeType n, bool copy = false) {
    if (n < 16 || !detail::needs_no_escape(s, n)) {
      return rapidjson::Writer<rapidjson::StringBuffer>::String(s, n, copy);
    }
    Prefix(rapidjson::kStringType);
    char* out = os_->Push(n + 2);
    out[0] = '"';
    std::memcpy(out + 1, s, n);
    out[n + 1] = '"';
    return EndValue(true);
  }
  // A string of exactly n characters that need no escape (hexadecimal digits,
  // say), which fill(char* out) writes in place: no temporary, no scan.
  template <class Fill>
  bool string_in_place(rapidjson::SizeType n, Fill&& fill) {
    Prefix(rapidjson::kStringType);
    char* out = os_->Push(n + 2);
    out[0] = '"';
    fill(out + 1);
    out[n + 1] = '"';
    return EndValue(true);
  }
  bool String(const char* s) { return String(s, static_cast<rapidjson::SizeType>(std::strlen(s))); }
  bool String(const std::string& s) {
    return String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }

  writer& member(std::string_view k, std::string_view value) { return key(k).string(value); }
  writer& member(std::string_view k, const std::string& value) {
    return member(k, std::string_view(value));
  }
  writer& member(std::string_view k, const char* value) {
    return member(k, std::string_view(value));
  }
  // null when empty
  writer& nonempty(std::string_view k, std::string_view value) {
    key(k);
    if (value.empty()) {
      Null();
      return *this;
    }
    return string(value);
  }
  writer& member(std::string_view k, bool value) {
    key(k).Bool(value);
    return *this;
  }
  template <std::integral I>
  requires(!std::same_as<I, bool>) writer& member(std::string_view k, I value) {
    key(k);
    if constexpr (std::signed_integral<I>) {
      Int64(static_cast<int64_t>(value));
    } else {
      Uint64(static_cast<uint64_t>(value));
    }
    return *this;
  }
  // null for NaN and infinities: RapidJSON writes nothing for them, which would
  // leave a member without a value (not JSON).
  writer& number(double value) {
    if (std::isfinite(value))
      Double(value);
    else
      Null();
    return *this;
  }
  writer& member(std::string_view k, double value) {
    key(k);
    return number(value);
  }
  // null when absent
  template <class T>
  writer& member(std::string_view k, const std::optional<T>& value) {
    if (value) return member(k, *value);
    key(k).Null();
    return *this;
  }
  // An array of strings.
  template <class Range>
  requires requires(const Range& r) { std::string_view(*std::begin(r)); }
  writer& strings(std::string_view k, const Range& values) {
    key(k).StartArray();
    for (const auto& v : values) string(v);
    EndArray();
    return *this;
  }

  // An object of named counts: {"name": n, ...}.
  template <class Map>
  writer& counts(std::string_view k, const Map& by_name) {
    key(k).StartObject();
    for (const auto& [name, n] : by_name) member(name, n);
    EndObject();
    return *this;
  }
  // An object, whose members write(*value) writes, or null when absent.
  template <class T, class Write>
  writer& object(std::string_view k, const std::optional<T>& value, Write&& write) {
    key(k);
    if (!value) {
      Null();
      return *this;
    }
    StartObject();
    write(*value);
    EndObject();
    return *this;
  }
  // An array of objects, one a value, whose members write(value) writes.
  template <class Range, class Write>
  writer& objects(std::string_view k, const Range& values, Write&& write) {
    key(k).StartArray();
    for (const auto& v : values) {
      StartObject();
      write(v);
      EndObject();
    }
    EndArray();
    return *this;
  }

  // Starts a new document in the same buffer (a writer kept per thread for a hot path).
  void clear() {
    buffer.Clear();
    Reset(buffer);
  }

  std::string str() const { return {buffer.GetString(), buffer.GetSize()}; }
  std::string_view view() const { return {buffer.GetString(), buffer.GetSize()}; }
};

}  // namespace civic::json
