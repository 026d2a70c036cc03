#include "common/id/uuid7.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace civic {

std::string make_uuid7(std::chrono::system_clock::time_point now) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto millis = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  uint64_t r1 = random();
  uint64_t r2 = random();

  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i)
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(millis >> (40 - 8 * i));
  for (size_t i = 6; i < 16; ++i) b[i] = static_cast<uint8_t>((i < 11 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));  // RFC 9562 variant

  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0F];
  }
  return out;
}

}  // namespace civic
