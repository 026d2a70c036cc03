#pragma once
// Lower-case hexadecimal of an unsigned number, zero-padded to `digits`
// (at most 16): what snprintf("%0*llx") gives, without its cost on hot paths
// (dedup writes a case's signatures and fingerprints in every state record).

#include <cstdint>
#include <string>

namespace civic::text {

inline void append_hex(std::string& out, uint64_t v, int digits) {
  static constexpr char digit[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += digit[(v >> shift) & 0xF];
}

inline std::string hex_digits(uint64_t v, int digits) {
  std::string out;
  out.reserve(static_cast<size_t>(digits));
  append_hex(out, v, digits);
  return out;
}

}  // namespace civic::text
