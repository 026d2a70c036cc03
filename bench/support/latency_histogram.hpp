#pragma once
// A log-linear latency histogram laid out like HdrHistogram: values below 2048 ns
// are kept exactly, larger ones in buckets whose width is under 0.1% of their
// value, so p99.9 of a million samples costs a fixed 450 KB and no sorting.

#include <cstdint>
#include <vector>

namespace civic::bench {

class latency_histogram {
 public:
  latency_histogram();

  void record(int64_t nanoseconds);
  void merge(const latency_histogram& other);

  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  double mean() const;
  // The highest value equivalent to the one at this percentile (0..100).
  int64_t percentile(double p) const;

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace civic::bench
