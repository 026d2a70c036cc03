#include "gateway/http/websocket_key.hpp"

#include <algorithm>

#include "common/text/trim.hpp"

namespace civic::gateway::http {
namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

bool is_valid_websocket_key(std::string_view key) {
  key = text::trim(key);
  constexpr std::size_t encoded_length = 24;  // 16 bytes: 22 characters and "=="
  if (key.size() != encoded_length || !key.ends_with("==")) return false;
  std::string_view digits = key.substr(0, encoded_length - 2);
  return std::all_of(digits.begin(), digits.end(), is_base64_char);
}

}  // namespace civic::gateway::http
