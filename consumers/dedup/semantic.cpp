#include "consumers/dedup/semantic.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/text/hex.hpp"

namespace civic::dedup {
namespace {

int nibble(const packed_embedding& p, size_t i) {
  const uint8_t byte = p.nibbles[i / 2];
  return static_cast<int>(i % 2 == 0 ? byte & 0x0f : byte >> 4) - 8;  // -8 .. 7
}

// A deterministic value in [-1, 1) for hyperplane h, dimension j.
float plane(uint64_t seed, size_t h, size_t j) {
  const uint64_t key[2] = {static_cast<uint64_t>(h), static_cast<uint64_t>(j)};
  const uint64_t x = XXH3_64bits_withSeed(key, sizeof key, seed);
  return static_cast<float>(static_cast<double>(x >> 11) / 4503599627370496.0 - 1.0);
}

constexpr size_t max_planes = 64;
constexpr size_t max_dims = 1024;

// The hyperplanes, computed once (64 x 1024 floats, 256 KB).
const std::vector<float>& planes() {
  static const std::vector<float> table = [] {
    std::vector<float> t(max_planes * max_dims);
    for (size_t h = 0; h < max_planes; ++h)
      for (size_t j = 0; j < max_dims; ++j) t[h * max_dims + j] = plane(0x73656d, h, j);
    return t;
  }();
  return table;
}

}  // namespace

packed_embedding pack_embedding(std::span<const float> v) {
  packed_embedding p;
  if (v.empty()) return p;
  float top = 0;
  for (float x : v) top = std::max(top, std::fabs(x));
  p.scale = top > 0 ? top / 7.0f : 1.0f;
  p.nibbles.assign((v.size() + 1) / 2, 0);
  for (size_t i = 0; i < v.size(); ++i) {
    const long q = std::clamp(std::lround(v[i] / p.scale), -7L, 7L) + 8;
    p.nibbles[i / 2] = static_cast<uint8_t>(p.nibbles[i / 2] | (q << (i % 2 == 0 ? 0 : 4)));
  }
  return p;
}

std::vector<float> unpack_embedding(const packed_embedding& p) {
  std::vector<float> v(p.nibbles.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(nibble(p, i)) * p.scale;
  return v;
}

double cosine(std::span<const float> v, const packed_embedding& p) {
  if (v.empty() || p.empty() || p.nibbles.size() * 2 < v.size()) return 0;
  double dot = 0, nv = 0, np = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double q = nibble(p, i);
    dot += static_cast<double>(v[i]) * q;
    nv += static_cast<double>(v[i]) * static_cast<double>(v[i]);
    np += q * q;
  }
  return nv > 0 && np > 0 ? dot / std::sqrt(nv * np) : 0;
}

std::string packed_to_text(const packed_embedding& p) {
  std::string out;
  char head[32];
  std::snprintf(head, sizeof head, "%.9g:", static_cast<double>(p.scale));
  out = head;
  static constexpr char digits[] = "0123456789abcdef";
  for (uint8_t b : p.nibbles) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

std::optional<packed_embedding> packed_from_text(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  packed_embedding p;
  const std::string scale(text.substr(0, colon));
  char* end = nullptr;
  p.scale = std::strtof(scale.c_str(), &end);
  if (end == scale.c_str() || !std::isfinite(p.scale) || p.scale <= 0) return std::nullopt;
  const auto hex = text.substr(colon + 1);
  if (hex.size() % 2 != 0) return std::nullopt;
  auto value = [](char c) {
    return civic::text::hex_value(c, civic::text::hex_letters::lower_case);
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = value(hex[i]), lo = value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    p.nibbles.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return p;
}

std::vector<uint64_t> semantic_band_keys(std::span<const float> v, size_t bands, size_t bits,
                                         uint64_t seed) {
  std::vector<uint64_t> keys;
  if (v.empty() || v.size() > max_dims) return keys;
  const auto& table = planes();
  for (size_t b = 0; b < bands && (b + 1) * bits <= max_planes; ++b) {
    uint64_t code = 0;
    for (size_t k = 0; k < bits; ++k) {
      const float* w = table.data() + (b * bits + k) * max_dims;
      float dot = 0;
      for (size_t j = 0; j < v.size(); ++j) dot += v[j] * w[j];
      code = code << 1 | (dot >= 0 ? 1u : 0u);
    }
    const uint64_t key[2] = {static_cast<uint64_t>(b), code};
    keys.push_back(XXH3_64bits_withSeed(key, sizeof key, seed));
  }
  return keys;
}

}  // namespace civic::dedup
