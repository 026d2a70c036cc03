#include "bench/support/message_bodies.hpp"

#include <charconv>
#include <fstream>

namespace civic::bench {

expected<message_bodies, std::string> message_bodies::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return unexpected("cannot read message bodies from " + path);
  message_bodies result;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (line.size() < 3 || line.front() != '{' || line.back() != '}') {
      return unexpected(path + ":" + std::to_string(number) + ": not one JSON object on one line");
    }
    result.bodies_.push_back(std::move(line));
  }
  if (result.bodies_.empty()) return unexpected(path + " has no message bodies");
  return result;
}

double message_bodies::mean_bytes() const {
  size_t total = 0;
  for (const auto& b : bodies_) total += b.size();
  return static_cast<double>(total) / static_cast<double>(bodies_.size());
}

void message_bodies::compose(std::string& out, std::string_view id, size_t index) const {
  const std::string& body = bodies_[index % bodies_.size()];
  out.clear();
  out.reserve(body.size() + id.size() + 10);
  out.append("{\"id\":\"").append(id).append("\",");
  out.append(body, 1);  // everything after the opening brace
}

std::string message_id(std::string_view run, size_t connection, uint64_t sequence) {
  std::string id(run);
  id.append("-").append(std::to_string(connection)).append("-").append(std::to_string(sequence));
  return id;
}

int64_t sequence_of(std::string_view id) {
  auto dash = id.rfind('-');
  if (dash == std::string_view::npos) return -1;
  int64_t value = -1;
  auto [end, error] = std::from_chars(id.data() + dash + 1, id.data() + id.size(), value);
  if (error != std::errc{} || end != id.data() + id.size()) return -1;
  return value;
}

}  // namespace civic::bench
