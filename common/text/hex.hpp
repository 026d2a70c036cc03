#pragma once
// Hexadecimal digits both ways. Writing: lower-case hexadecimal of an unsigned
// number, zero-padded to `digits` (at most 16): what snprintf("%0*llx") gives,
// without its cost on hot paths (dedup writes a case's signatures and fingerprints
// in every state record). Reading: one digit's value.

#include <cstdint>
#include <string>

namespace civic::text {

// Writes `digits` digits at out and returns the end.
inline char* write_hex(char* out, uint64_t v, int digits) {
  static constexpr char digit[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) *out++ = digit[(v >> shift) & 0xF];
  return out;
}

inline void append_hex(std::string& out, uint64_t v, int digits) {
  const size_t at = out.size();
  out.resize(at + static_cast<size_t>(digits));
  write_hex(out.data() + at, v, digits);
}

// Which letters a reader takes: either case (what people and other programs
// write), or lower case only (what append_hex wrote, read back strictly).
enum class hex_letters { any_case, lower_case };

// The value of one hexadecimal digit, or -1 when `c` is not one.
constexpr int hex_value(char c, hex_letters letters = hex_letters::any_case) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (letters == hex_letters::any_case && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::string hex_digits(uint64_t v, int digits) {
  std::string out;
  out.reserve(static_cast<size_t>(digits));
  append_hex(out, v, digits);
  return out;
}

}  // namespace civic::text
