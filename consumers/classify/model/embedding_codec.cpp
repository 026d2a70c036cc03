#include "consumers/classify/model/embedding_codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace civic::classify::model {
namespace {

float scale_of(std::span<const float> v) {
  float top = 0;
  for (float x : v) top = std::max(top, std::fabs(x));
  return top > 0 ? top / 127.0f : 1.0f;
}

int8_t quantise(float x, float scale) {
  return static_cast<int8_t>(std::clamp(std::lround(x / scale), -127L, 127L));
}

}  // namespace

float quantise_embedding(std::span<const float> v, std::span<int8_t> out) {
  const float scale = scale_of(v);
  for (std::size_t i = 0; i < v.size() && i < out.size(); ++i) out[i] = quantise(v[i], scale);
  return scale;
}

std::string encode_embedding(std::span<const float> v) {
  std::string out(4 + v.size(), '\0');
  const float scale =
      quantise_embedding(v, std::span<int8_t>(reinterpret_cast<int8_t*>(out.data() + 4), v.size()));
  std::memcpy(out.data(), &scale, 4);
  return out;
}

std::optional<std::vector<float>> decode_embedding(std::string_view bytes, std::size_t dims) {
  if (bytes.size() != 4 + dims) return std::nullopt;
  float scale;
  std::memcpy(&scale, bytes.data(), 4);
  if (!std::isfinite(scale) || scale <= 0) return std::nullopt;
  std::vector<float> v(dims);
  for (std::size_t i = 0; i < dims; ++i)
    v[i] = static_cast<float>(static_cast<int8_t>(bytes[4 + i])) * scale;
  return v;
}

void round_embedding(std::span<float> v) {
  const float scale = scale_of(v);
  for (float& x : v) x = static_cast<float>(quantise(x, scale)) * scale;
}

}  // namespace civic::classify::model
