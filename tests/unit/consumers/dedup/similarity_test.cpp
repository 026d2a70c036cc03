#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/dedup/minhash.hpp"
#include "consumers/dedup/normalize.hpp"
#include "consumers/dedup/shingles.hpp"

using namespace civic::dedup;

namespace {

std::vector<uint64_t> shingles_of(std::string_view text) {
  return shingle_hashes(normalize_for_dedup(text));
}

double exact_jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> both, either;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(either));
  return either.empty() ? 0.0
                        : static_cast<double>(both.size()) / static_cast<double>(either.size());
}

double similarity(std::string_view a, std::string_view b) {
  return estimate_jaccard(make_signature(shingles_of(a)), make_signature(shingles_of(b)));
}

}  // namespace

TEST_CASE("Korean shingles are syllable bigrams, so particles barely change them") {
  auto a = shingles_of("포트홀이");
  auto b = shingles_of("포트홀을");
  CHECK(a.size() == 3);  // 포트 트홀 홀이
  CHECK(exact_jaccard(a, b) == doctest::Approx(0.5));
}

TEST_CASE("English shingles are character trigrams of padded words") {
  CHECK(shingles_of("cat").size() == 3);  // " ca", "cat", "at "
  CHECK(shingles_of("x").size() == 1);
  CHECK(shingles_of("the of and").empty());  // English function words say nothing about the issue
  CHECK(shingles_of("").empty());
}

TEST_CASE("Korean endings and fillers are not shingles: unrelated short reports stay apart") {
  CHECK(shingles_of("너무 좀 또").empty());
  CHECK(shingles_of("해주세요").empty());    // 해주 주세 세요
  CHECK(shingles_of("심해요").size() == 1);  // 심해 (해요 is an ending)
  // A light-pollution report and a construction-noise one shared only "너무 심해요":
  // above the district threshold (0.07) before, nothing in common now.
  std::string_view light = "청담 전광판 빛공해 너무 심해요 밤에는 꺼주세요";
  std::string_view noise = "강남역 공사 소음 너무 심해요 새벽 다섯 시부터예요";
  CHECK(exact_jaccard(shingles_of(light), shingles_of(noise)) < 0.07);
  // The issue's own words still match.
  CHECK(similarity("성신여대 뒤 골목 가로등 고장났어요",
                   "성신여대 뒤쪽 골목 가로등이 안 들어와요") > 0.3);
}

TEST_CASE("identical normalised texts are fully similar, decorations aside") {
  CHECK(similarity("홍대입구역 9번 출구 앞 포트홀 #포트홀 🚧",
                   "홍대입구역 9번 출구 앞 포트홀 포트홀") == 1.0);
}

TEST_CASE("a paraphrase of the same issue scores above an unrelated text") {
  std::string_view report = "망원시장 뒷골목 종량제 봉투가 금요일부터 안 치워져서 산처럼 쌓였어요";
  std::string_view paraphrase =
      "망원시장 뒤편 골목에 종량제 봉투 수십 개가 금요일 이후로 방치돼 있습니다";
  std::string_view unrelated = "서울숲 사슴 우리 옆 길에 아름드리나무가 쓰러졌습니다";
  CHECK(similarity(report, paraphrase) > 0.15);
  CHECK(similarity(report, unrelated) < 0.05);
}

TEST_CASE("the MinHash estimate tracks the exact Jaccard similarity") {
  std::vector<std::pair<std::string_view, std::string_view>> pairs = {
      {"Strong gas smell outside Euljiro 3-ga station exit 10 by the print shops",
       "Gas smell near Euljiro 3-ga exit 10, print shop alley, please send someone"},
      {"사당역 4번 출구 앞 도로가 완전히 물에 잠겼어요",
       "사당역 4번 출구 앞 도로 침수 차량 통행 불가"},
      {"All the traffic lights at Nowon station intersection are blinking yellow",
       "Seoul Forest: a huge tree came down across the path"},
  };
  for (auto [a, b] : pairs) {
    double exact = exact_jaccard(shingles_of(a), shingles_of(b));
    CHECK(std::fabs(similarity(a, b) - exact) < 0.12);
  }
}

TEST_CASE("empty text is similar to nothing, not even itself") {
  signature empty = make_signature({});
  CHECK(empty.empty);
  CHECK(estimate_jaccard(empty, empty) == 0.0);
  CHECK(band_keys(empty, 16, 7).empty());
}

TEST_CASE("LSH band keys agree for equal texts and depend on the salt") {
  signature a = make_signature(shingles_of("노원역 사거리 신호등 점멸"));
  signature b = make_signature(shingles_of("노원역 사거리 신호등 점멸"));
  CHECK(band_keys(a, 16, 1) == band_keys(b, 16, 1));
  CHECK(band_keys(a, 16, 1).size() == 16);
  CHECK(band_keys(a, 16, 1) != band_keys(a, 16, 2));
}

TEST_CASE(
    "long unrelated texts estimate near zero (the kept bits of a minimum are its uniform ones)") {
  // A minimum over many shingles is a small number: had the signature kept its
  // high bits, unrelated long texts would agree on most of them.
  std::vector<uint64_t> a, b;
  for (uint64_t i = 0; i < 400; ++i) {
    a.push_back(i * 0x9E3779B97F4A7C15ULL);
    b.push_back((i + 1000) * 0x9E3779B97F4A7C15ULL);
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(estimate_jaccard(make_signature(a), make_signature(b)) < 0.02);
  // Half shared: about a third.
  std::vector<uint64_t> c(a.begin(), a.begin() + 200);
  c.insert(c.end(), b.begin(), b.begin() + 200);
  std::sort(c.begin(), c.end());
  CHECK(estimate_jaccard(make_signature(a), make_signature(c)) ==
        doctest::Approx(1.0 / 3).epsilon(0.15));
}

namespace {

// The signature as its definition states it, one permutation at a time:
// what every instruction set's path must give, bit for bit (signatures are
// kept in the changelog and compared across processes).
signature reference_signature(const std::vector<uint64_t>& hashes) {
  auto mix = [](uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  };
  signature s;
  if (hashes.empty()) return s;  // similar to nothing: no minima
  s.empty = false;
  for (size_t i = 0; i < signature_size; ++i) {
    const uint64_t multiplier = mix(2 * i + 1) | 1ULL, offset = mix(2 * i + 2);
    uint64_t low = UINT64_MAX;
    for (uint64_t h : hashes) {
      uint64_t v = h * multiplier + offset;
      v ^= v >> 29;
      low = std::min(low, v);
    }
    s.minima[i] = static_cast<uint8_t>(low);
    if (i < lsh_values) s.lsh[i] = static_cast<uint16_t>(low >> 8);
  }
  return s;
}

}  // namespace

TEST_CASE("signatures are the definition's minima, bit for bit, on this CPU's path") {
  for (std::string_view text : {"보도블록이 깨져서 걸려 넘어질 뻔했어요",
                                "The streetlight on Mapo-daero is out again", "a"}) {
    const auto hashes = shingles_of(text);
    CHECK(make_signature(hashes) == reference_signature(hashes));
  }
  std::vector<uint64_t> many;
  uint64_t x = 12345;
  for (int i = 0; i < 300; ++i)
    many.push_back(x = x * 6364136223846793005ULL + 1442695040888963407ULL);
  CHECK(make_signature(many) == reference_signature(many));
}

TEST_CASE("every instruction path this CPU has gives the plain loop's signature") {
  using detail::minima_path;
  const minima_path best = detail::best_minima_path();
  MESSAGE("minima path on this CPU: " << std::string(detail::minima_path_name(best)));
  std::mt19937_64 rng(11);
  std::vector<std::vector<uint64_t>> inputs = {
      {0},
      {~0ULL},
      {0, 1, ~0ULL, 1ULL << 63, (1ULL << 63) - 1, 0xFFFFFFFFULL, 0x100000000ULL},
      shingles_of("노원역 사거리 신호등 점멸, the lights at Nowon station blink all night"),
  };
  for (size_t n : {size_t{1}, size_t{3}, size_t{64}, size_t{300}}) {
    std::vector<uint64_t> hashes(n);
    for (auto& h : hashes) h = rng();
    inputs.push_back(hashes);
  }
  for (const auto& hashes : inputs) {
    const signature plain = detail::make_signature_on(minima_path::plain, hashes);
    for (minima_path path : {minima_path::avx2, minima_path::avx512}) {
      if (path > best) continue;
      const std::string path_name = detail::minima_path_name(path);
      CAPTURE(path_name);
      CAPTURE(hashes.size());
      CHECK(detail::make_signature_on(path, hashes) == plain);
    }
  }
  CHECK(make_signature(inputs.back()) ==
        detail::make_signature_on(minima_path::plain, inputs.back()));
}
