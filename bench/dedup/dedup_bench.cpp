// dedup benchmark: fills one partition's deduplicator with 1,000,000 open
// cases, then measures reports per second through it (the mix a city sees:
// mostly new issues, some further reports of open cases, some retries) and
// the resident memory per open case. Prints figures; asserts nothing.
//
// With --embeddings every report also carries a 512-dimension unit vector (as
// the sentence model gives; a further report of an open case gets one close to
// the case's), so the figures include the embedding work dedup does per report
// (packing, cosine, hyperplane bands) and its memory per case. The encoder's
// own cost per message is classify_bench's classify_model_encoding.
//
//   build/<dir>/bench/dedup/dedup_bench [open_cases] [measured_reports] [--embeddings]

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/dedup/deduplicator.hpp"
#include "consumers/dedup/minhash.hpp"
#include "consumers/dedup/normalize.hpp"
#include "consumers/dedup/shingles.hpp"

using namespace civic::dedup;
using clock_type = std::chrono::steady_clock;

namespace {

// CPU time of this thread: the figures are per core even when the machine is
// shared (wall-clock time is printed beside them).
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

const char* const districts[] = {
    "Jongno-gu",     "Jung-gu",      "Yongsan-gu",   "Seongdong-gu",    "Gwangjin-gu",
    "Dongdaemun-gu", "Jungnang-gu",  "Seongbuk-gu",  "Gangbuk-gu",      "Dobong-gu",
    "Nowon-gu",      "Eunpyeong-gu", "Seodaemun-gu", "Mapo-gu",         "Yangcheon-gu",
    "Gangseo-gu",    "Guro-gu",      "Geumcheon-gu", "Yeongdeungpo-gu", "Dongjak-gu",
    "Gwanak-gu",     "Seocho-gu",    "Gangnam-gu",   "Songpa-gu",       "Gangdong-gu"};
const char* const divisions[] = {"transport", "roads",   "environment", "sanitation", "water",
                                 "housing",   "welfare", "safety",      "parks",      "culture",
                                 "economy",   "health",  "admin"};
const char* const words[] = {
    "도로",   "포트홀", "가로등", "고장",   "쓰레기",       "수거",   "불법주차", "소음",
    "공사장", "야간",   "버스",   "정류장", "지하철",       "출구",   "앞",       "뒤편",
    "골목",   "아파트", "단지",   "공원",   "놀이터",       "나무",   "쓰러짐",   "침수",
    "하수구", "냄새",   "악취",   "누수",   "수도관",       "파손",   "보도블록", "횡단보도",
    "신호등", "점멸",   "위험",   "민원",   "부탁드립니다", "빨리",   "처리",     "확인",
    "며칠째", "그대로", "방치",   "어르신", "아이들",       "통학로", "자전거",   "따릉이",
    "주차장", "시장",   "상가",   "매연",   "먼지",         "빙판",   "제설",     "맨홀",
    "뚜껑",   "하천"};

// A unit vector from a seed, so that a report's vector is made again when
// needed instead of kept (a million of them would be 2 GB).
std::vector<float> vector_of(uint64_t seed) {
  std::mt19937_64 r(seed);
  std::normal_distribution<float> d;
  std::vector<float> v(512);
  float norm = 0;
  for (auto& x : v) {
    x = d(r);
    norm += x * x;
  }
  norm = std::sqrt(norm);
  for (auto& x : v) x /= norm;
  return v;
}

// Another wording of the same issue: cosine about 0.8 with the original.
std::vector<float> near_vector(uint64_t seed, uint64_t other) {
  auto v = vector_of(seed);
  const auto w = vector_of(other);
  float norm = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = 0.8f * v[i] + 0.6f * w[i];
    norm += v[i] * v[i];
  }
  for (auto& x : v) x /= std::sqrt(norm);
  return v;
}

struct generator {
  std::mt19937_64 random{20261130};

  // Mostly words of random Hangul syllables (every issue is worded its own
  // way), with some of the city's everyday complaint words mixed in.
  std::string text(size_t word_count) {
    std::uniform_int_distribution<size_t> pick(0, std::size(words) - 1);
    std::uniform_int_distribution<uint32_t> syllable(0xAC00, 0xD7A3);
    std::uniform_int_distribution<int> length(2, 4), common(0, 7);
    std::string t;
    for (size_t i = 0; i < word_count; ++i) {
      if (!t.empty()) t += ' ';
      if (common(random) == 0) {
        t += words[pick(random)];
        continue;
      }
      for (int k = length(random); k > 0; --k) {
        uint32_t cp = syllable(random);
        t += static_cast<char>(0xE0 | (cp >> 12));
        t += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        t += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    return t;
  }

  // Another citizen's words for the same issue: half the words kept.
  std::string reworded(const std::string& original) {
    std::string out;
    std::uniform_int_distribution<int> keep(0, 1);
    size_t pos = 0;
    while (pos < original.size()) {
      size_t space = original.find(' ', pos);
      if (space == std::string::npos) space = original.size();
      if (!out.empty()) out += ' ';
      out += keep(random) ? original.substr(pos, space - pos) : text(1);
      pos = space + 1;
    }
    return out;
  }

  report fresh(uint64_t n, int64_t time_ms) {
    report r;
    r.id = "0195c2a4-7a10-7c3e-" + std::to_string(n);
    r.time_ms = time_ms;
    r.idempotency_key = "web:" + std::to_string(n);
    r.text = text(14);
    // A million open cases do not fit in one city without most of them being
    // within 250 m of a same-division case (which would make them one case):
    // the places are spread over 6 x 6 degrees, cut into 5 x 5 "districts" so
    // that place and district agree. The costs measured are the same.
    std::uniform_real_distribution<double> lat(34.0, 40.0), lon(124.0, 130.0);
    std::uniform_int_distribution<size_t> v(0, std::size(divisions) - 1);
    geo_point p{lat(random), lon(random)};
    size_t row = static_cast<size_t>((p.lat - 34.0) / 6.0 * 5),
           column = static_cast<size_t>((p.lon - 124.0) / 6.0 * 5);
    if (n % 3 != 0) r.point = p;
    if (n % 10 != 0)
      r.district = districts[std::min<size_t>(row, 4) * 5 + std::min<size_t>(column, 4)];
    r.divisions = {divisions[v(random)]};
    return r;
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool embeddings = false;
  std::vector<char*> positional;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--embeddings")
      embeddings = true;
    else
      positional.push_back(argv[i]);
  }
  size_t open_cases = positional.size() > 0 ? std::strtoull(positional[0], nullptr, 10) : 1'000'000;
  size_t measured = positional.size() > 1 ? std::strtoull(positional[1], nullptr, 10) : 200'000;

  dedup_settings settings;
  settings.max_open_cases = open_cases * 2;
  generator gen;
  const int64_t t0 = 1'764'460'800'000;  // 2025-11-30
  // Spread the open cases over 48 hours, so none closes during the run.
  const int64_t step_ms = 48LL * 3600 * 1000 / static_cast<int64_t>(open_cases);

  // Texts are generated before the clock starts: the figures are dedup's alone.
  // A few fresh reports join a case by chance (see the fill line), so a tenth
  // more are made than the cases wanted; the fill stops at the target.
  std::vector<report> fill;
  fill.reserve(open_cases + open_cases / 10);
  for (size_t i = 0; i < open_cases + open_cases / 10; ++i) {
    fill.push_back(gen.fresh(i, t0 + static_cast<int64_t>(i) * step_ms));
  }

  size_t rss_before = resident_bytes();
  {
    std::vector<report> keep;
    keep.swap(fill);
    deduplicator d(settings);
    auto start = clock_type::now();
    double cpu_start = cpu_seconds();
    size_t fill_counts[3] = {0, 0, 0};
    size_t used = 0;
    while (d.open_cases() < open_cases && used < keep.size()) {
      report& r = keep[used++];
      if (embeddings) r.embedding = vector_of(used);
      ++fill_counts[static_cast<int>(d.add(r).kind)];
      std::vector<float>().swap(r.embedding);
    }
    keep.resize(used);
    double fill_s = std::chrono::duration<double>(clock_type::now() - start).count();
    double fill_cpu = cpu_seconds() - cpu_start;
    // Reports are kept for the measured phase; subtract them from the memory figure.
    size_t rss_after_fill = resident_bytes();
    size_t reports_bytes = 0;
    for (const report& r : keep) {
      reports_bytes += sizeof(report) + r.id.capacity() + r.idempotency_key.capacity() +
                       r.text.capacity() + (r.district ? r.district->capacity() : 0) + 32;
    }

    // The measured mix: 70 % new issues, 20 % another citizen at an open case's
    // place and in its district, 10 % retries of open cases' reports.
    std::vector<report> mix;
    mix.reserve(measured);
    std::uniform_int_distribution<size_t> any_open(used / 2, used - 1);
    int64_t now = t0 + static_cast<int64_t>(used) * step_ms;
    for (size_t i = 0; i < measured; ++i) {
      size_t kind = i % 10;
      const uint64_t unrelated = 4'000'000'000ULL + i;
      if (kind < 7) {
        mix.push_back(gen.fresh(open_cases + open_cases / 10 + i, now + static_cast<int64_t>(i)));
        if (embeddings) mix.back().embedding = vector_of(unrelated);
      } else if (kind < 9) {
        const size_t k = any_open(gen.random);
        report r = keep[k];
        r.id = "near-" + std::to_string(i);
        r.idempotency_key = "kakao:" + std::to_string(i);
        r.time_ms = now + static_cast<int64_t>(i);
        r.text = gen.reworded(r.text);
        if (embeddings) r.embedding = near_vector(k + 1, unrelated);
        mix.push_back(std::move(r));
      } else {
        const size_t k = any_open(gen.random);
        report r = keep[k];
        if (embeddings) r.embedding = vector_of(k + 1);
        r.id = "retry-" + std::to_string(i);
        r.time_ms = now + static_cast<int64_t>(i);
        mix.push_back(std::move(r));
      }
    }
    size_t counts[3] = {0, 0, 0};
    start = clock_type::now();
    cpu_start = cpu_seconds();
    for (const report& r : mix) {
      decision dec = d.add(r);
      ++counts[static_cast<int>(dec.kind)];
      d.close_expired(d.clock_ms());
    }
    double run_s = std::chrono::duration<double>(clock_type::now() - start).count();
    double run_cpu = cpu_seconds() - cpu_start;

    // The text work alone (normalise, shingle, sign), for comparison.
    cpu_start = cpu_seconds();
    size_t sink = 0;
    for (size_t i = 0; i < measured; ++i) {
      signature s = make_signature(shingle_hashes(normalize_for_dedup(mix[i].text)));
      sink += s.minima[0];
    }
    double text_s = cpu_seconds() - cpu_start;

    double case_bytes =
        static_cast<double>(rss_after_fill - rss_before) - static_cast<double>(reports_bytes);
    std::printf(
        "dedup bench: one partition, %zu open cases (signature %zu x 8 bit, %zu LSH bands)%s\n",
        open_cases, signature_size, settings.lsh_bands,
        embeddings ? ", with embeddings (512 x 4 bit a case, hyperplane bands)" : "");
    std::printf(
        "  fill:     %zu reports in %.2f s CPU (%.2f s wall) = %.0f reports/s per core (%zu new "
        "cases, %zu joined one by chance)\n",
        used, fill_cpu, fill_s, static_cast<double>(used) / fill_cpu, fill_counts[0],
        fill_counts[1] + fill_counts[2]);
    std::printf(
        "  memory:   %.0f bytes per open case (resident growth %.1f MiB, report copies excluded)\n",
        case_bytes / static_cast<double>(open_cases), case_bytes / 1048576.0);
    std::printf(
        "  measured: %zu reports in %.2f s CPU (%.2f s wall) = %.0f messages/s per core with %zu "
        "open cases (%zu new, %zu near-duplicates, %zu exact duplicates)\n",
        measured, run_cpu, run_s, static_cast<double>(measured) / run_cpu, d.open_cases(),
        counts[0], counts[1], counts[2]);
    std::printf("  of which text work (NFKC, shingles, MinHash): %.1f us per report%s\n",
                text_s * 1e6 / static_cast<double>(measured), sink == 1 ? " " : "");
  }
  return 0;
}
