#include "gateway/channels/support/coordinate.hpp"

#include <charconv>
#include <cmath>

namespace civic::gateway::channels {
namespace {

std::optional<double> number_within(std::string_view text, double limit) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value) || value < -limit || value > limit) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> latitude(std::string_view text) { return number_within(text, 90); }
std::optional<double> longitude(std::string_view text) { return number_within(text, 180); }

}  // namespace civic::gateway::channels
