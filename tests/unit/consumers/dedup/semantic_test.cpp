// The packed embeddings dedup keeps per case, and the hyperplane bands that index them.

#include "consumers/dedup/semantic.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <random>

using namespace civic::dedup;

namespace {

std::vector<float> unit_vector(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> d;
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  const float norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0f));
  for (auto& x : v) x /= norm;
  return v;
}

std::vector<float> mix(const std::vector<float>& a, const std::vector<float>& b, float t) {
  std::vector<float> v(a.size());
  for (size_t i = 0; i < a.size(); ++i) v[i] = a[i] * (1 - t) + b[i] * t;
  const float norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0f));
  for (auto& x : v) x /= norm;
  return v;
}

double exact_cosine(const std::vector<float>& a, const std::vector<float>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

}  // namespace

TEST_CASE("packed embedding: 256 bytes for 512 values, cosine within 0.02 of the exact one") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const auto a = unit_vector(rng, 512), b = unit_vector(rng, 512);
    const auto near = mix(a, b, 0.3f);
    const auto p = pack_embedding(near);
    CHECK(p.nibbles.size() == 256);
    CHECK(cosine(a, p) == doctest::Approx(exact_cosine(a, near)).epsilon(0.02));
    CHECK(cosine(b, p) == doctest::Approx(exact_cosine(b, near)).epsilon(0.02));
  }
  CHECK(cosine({}, pack_embedding(unit_vector(rng, 8))) == 0);
  CHECK(pack_embedding({}).empty());
}

TEST_CASE("packed embedding: the changelog's text form reads back, and bad text is refused") {
  std::mt19937 rng(3);
  const auto p = pack_embedding(unit_vector(rng, 512));
  auto back = packed_from_text(packed_to_text(p));
  REQUIRE(back.has_value());
  CHECK(*back == p);
  CHECK_FALSE(packed_from_text("no colon").has_value());
  CHECK_FALSE(packed_from_text("0.1:abc").has_value());  // odd number of digits
  CHECK_FALSE(packed_from_text("0.1:zz").has_value());
  CHECK_FALSE(packed_from_text("-1:00").has_value());
}

TEST_CASE("semantic bands: similar vectors share a band far more often than unrelated ones") {
  std::mt19937 rng(11);
  int near_shared = 0, far_shared = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    const auto a = unit_vector(rng, 512), b = unit_vector(rng, 512);
    const auto near = mix(a, b, 0.25f);  // cosine about 0.9
    const auto ka = semantic_band_keys(a, 4, 6, 1);
    REQUIRE(ka.size() == 4);
    const auto kn = semantic_band_keys(near, 4, 6, 1), kb = semantic_band_keys(b, 4, 6, 1);
    bool n = false, f = false;
    for (size_t i = 0; i < ka.size(); ++i) {
      n = n || ka[i] == kn[i];
      f = f || ka[i] == kb[i];
    }
    near_shared += n;
    far_shared += f;
  }
  CHECK(near_shared > trials * 3 / 4);
  CHECK(far_shared < trials / 4);
  // The same vector under another seed (another district) shares no key.
  const auto v = unit_vector(rng, 512);
  CHECK(semantic_band_keys(v, 4, 6, 1) != semantic_band_keys(v, 4, 6, 2));
}
