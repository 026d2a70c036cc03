#include "gateway/http/websocket_key.hpp"

#include <algorithm>

namespace civic::gateway::http {
namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_valid_websocket_key(std::string_view key) {
  key = trim_blanks(key);
  constexpr std::size_t encoded_length = 24;  // 16 bytes: 22 characters and "=="
  if (key.size() != encoded_length || !key.ends_with("==")) return false;
  std::string_view digits = key.substr(0, encoded_length - 2);
  return std::all_of(digits.begin(), digits.end(), is_base64_char);
}

}  // namespace civic::gateway::http
