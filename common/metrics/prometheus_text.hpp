#pragma once
// The one writer of the Prometheus text exposition format (version 0.0.4) for
// every service: HELP/TYPE lines, samples with escaped label values, and
// histograms. Counters and gauges stay where they are updated (atomics owned by
// each subsystem); at scrape time each subsystem writes its families here.

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civic::metrics {

using label = std::pair<std::string_view, std::string_view>;

class text_writer {
 public:
  // "# HELP name help" and "# TYPE name type"; type is counter, gauge or histogram.
  // Each family once per scrape, before its samples.
  void family(std::string_view name, std::string_view type, std::string_view help);

  // name{k="v",...} value. Label values are escaped (\\, \", \n).
  void sample(std::string_view name, std::span<const label> labels, double value);
  void sample(std::string_view name, std::initializer_list<label> labels, double value) {
    sample(name, std::span<const label>(labels.begin(), labels.size()), value);
  }
  void sample(std::string_view name, double value) { sample(name, {}, value); }

  // A family with one unlabelled sample.
  void counter(std::string_view name, std::string_view help, double value) {
    family(name, "counter", help);
    sample(name, value);
  }
  void gauge(std::string_view name, std::string_view help, double value) {
    family(name, "gauge", help);
    sample(name, value);
  }

  // name_bucket{...,le="b"} for each bound and +Inf (cumulative), name_sum, name_count.
  // counts[i] is the number of observations <= bounds[i] and above bounds[i-1];
  // counts has bounds.size() + 1 entries, the last for observations above every bound.
  void histogram(std::string_view name, std::span<const label> labels,
                 std::span<const double> bounds, std::span<const uint64_t> counts, double sum);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void labels(std::span<const label> labels, std::string_view extra_key = {},
              std::string_view extra_value = {});
  std::string out_;
};

// A lock-free histogram with fixed bounds (seconds, bytes, ...), observed on the
// data path and written at scrape time.
class histogram {
 public:
  explicit histogram(std::vector<double> bounds);

  void observe(double value);
  void write(text_writer& w, std::string_view name, std::span<const label> labels = {}) const;

  std::span<const double> bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<uint64_t>> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_micros_{0};        // sum of value * 1e6, so it stays an integer
};

}  // namespace civic::metrics
