#include "bench/support/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace civic::bench {
namespace {

constexpr int sub_bucket_bits = 11;
constexpr uint64_t sub_bucket_count = uint64_t{1} << sub_bucket_bits;  // 2048
constexpr uint64_t half_count = sub_bucket_count / 2;
constexpr size_t bucket_slots = (64 - sub_bucket_bits + 2) * half_count;

// v < 2048 maps to itself; v in [2^(10+k), 2^(11+k)) to k * 1024 + (v >> k).
size_t index_of(uint64_t v) {
  if (v < sub_bucket_count) return static_cast<size_t>(v);
  auto shift = static_cast<unsigned>(std::bit_width(v)) - sub_bucket_bits;
  return static_cast<size_t>(shift * half_count + (v >> shift));
}

uint64_t highest_equivalent(size_t index) {
  if (index < sub_bucket_count) return index;
  uint64_t shift = index / half_count - 1;
  uint64_t mantissa = index - shift * half_count;
  return ((mantissa + 1) << shift) - 1;
}

}  // namespace

latency_histogram::latency_histogram() : counts_(bucket_slots, 0) {}

void latency_histogram::record(int64_t nanoseconds) {
  uint64_t v = nanoseconds < 0 ? 0 : static_cast<uint64_t>(nanoseconds);
  ++counts_[index_of(v)];
  ++count_;
  max_ = std::max(max_, static_cast<int64_t>(v));
  sum_ += static_cast<double>(v);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double latency_histogram::mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

int64_t latency_histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  auto wanted = static_cast<int64_t>(
      std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(count_)));
  wanted = std::max<int64_t>(wanted, 1);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(static_cast<int64_t>(highest_equivalent(i)), max_);
  }
  return max_;
}

}  // namespace civic::bench
