#include "common/metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace civic::metrics {
namespace {

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    char number[32];
    std::snprintf(number, sizeof number, "%.0f", value);
    out += number;
  } else {
    char number[32];  // the shortest text that reads back as the same double
    auto end = std::to_chars(number, number + sizeof number, value).ptr;
    out.append(number, end);
  }
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

void text_writer::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ");
  // HELP text escapes only backslash and newline.
  for (char c : help) {
    if (c == '\\')
      out_ += "\\\\";
    else if (c == '\n')
      out_ += "\\n";
    else
      out_ += c;
  }
  out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void text_writer::labels(std::span<const label> labels, std::string_view extra_key,
                         std::string_view extra_value) {
  if (labels.empty() && extra_key.empty()) return;
  out_ += '{';
  bool first = true;
  auto one = [&](std::string_view key, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_.append(key).append("=\"");
    append_escaped(out_, value);
    out_ += '"';
  };
  for (const auto& [key, value] : labels) one(key, value);
  if (!extra_key.empty()) one(extra_key, extra_value);
  out_ += '}';
}

void text_writer::sample(std::string_view name, std::span<const label> l, double value) {
  out_.append(name);
  labels(l);
  out_ += ' ';
  append_number(out_, value);
  out_ += '\n';
}

void text_writer::histogram(std::string_view name, std::span<const label> l,
                            std::span<const double> bounds, std::span<const uint64_t> counts,
                            double sum) {
  uint64_t cumulative = 0;
  std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::string le;
    if (i < bounds.size())
      append_number(le, bounds[i]);
    else
      le = "+Inf";
    out_.append(bucket);
    labels(l, "le", le);
    out_ += ' ';
    append_number(out_, static_cast<double>(cumulative));
    out_ += '\n';
  }
  sample(std::string(name) + "_sum", l, sum);
  sample(std::string(name) + "_count", l, static_cast<double>(cumulative));
}

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}

void histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(value * 1e6)),
                          std::memory_order_relaxed);
  }
}

void histogram::write(text_writer& w, std::string_view name, std::span<const label> labels) const {
  std::vector<uint64_t> counts(counts_.size());
  for (size_t i = 0; i < counts_.size(); ++i)
    counts[i] = counts_[i].load(std::memory_order_relaxed);
  w.histogram(name, labels, bounds_, counts,
              static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
}

}  // namespace civic::metrics
