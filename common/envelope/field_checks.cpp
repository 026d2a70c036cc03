#include "common/envelope/field_checks.hpp"

namespace civic::envelope {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

bool hex_run(std::string_view s, size_t from, size_t count) {
  for (size_t i = from; i < from + count; ++i) {
    if (!is_hex(s[i])) return false;
  }
  return true;
}

}  // namespace

bool is_channel_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || !is_lower(s.front())) return false;
  for (char c : s) {
    if (!is_lower(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

bool is_http_url(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("https://"))
    rest = s.substr(8);
  else if (s.starts_with("http://"))
    rest = s.substr(7);
  else
    return false;
  // A host, and no user name or password in the authority (they would reach a
  // topic in clear); no white space or control character anywhere.
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':' ||
      authority.find('@') != std::string_view::npos)
    return false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F) return false;
  }
  return true;
}

bool is_uuid_v7(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return s[14] == '7' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

bool is_language_code(std::string_view s) {
  if (s.size() < 2 || s.size() > 3) return false;
  for (char c : s) {
    if (!is_lower(c)) return false;
  }
  return true;
}

bool is_traceparent(std::string_view s) {
  auto all_zeros = [&](size_t from, size_t count) {
    return s.substr(from, count).find_first_not_of('0') == std::string_view::npos;
  };
  return s.size() == 55 && s.starts_with("00-") && hex_run(s, 3, 32) && s[35] == '-' &&
         hex_run(s, 36, 16) && s[52] == '-' && hex_run(s, 53, 2) && !all_zeros(3, 32) &&
         !all_zeros(36, 16);
}

bool is_bridge_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(is_lower(s.front()) || is_digit(s.front()))) return false;
  for (char c : s) {
    if (!is_lower(c) && !is_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool is_event_source(std::string_view s) {
  constexpr std::string_view channels = "/gateway/channels/", bridges = "/gateway/bridges/";
  if (s.starts_with(channels)) return is_channel_name(s.substr(channels.size()));
  if (s.starts_with(bridges)) return is_bridge_name(s.substr(bridges.size()));
  return false;
}

bool has_control_character(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls are U+0080-U+009F, encoded C2 80 to C2 9F.
    if (c == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) <= 0x9F)
      return true;
  }
  return false;
}

bool has_invisible_formatting(std::string_view utf8) {
  for (size_t i = 0; i + 1 < utf8.size(); ++i) {
    const auto a = static_cast<unsigned char>(utf8[i]), b = static_cast<unsigned char>(utf8[i + 1]);
    if (a == 0xD8 && b == 0x9C) return true;  // U+061C arabic letter mark
    if (i + 2 >= utf8.size()) continue;
    const auto c = static_cast<unsigned char>(utf8[i + 2]);
    if (a == 0xE2 && b == 0x80 && ((c >= 0x8B && c <= 0x8F) || (c >= 0xA8 && c <= 0xAE)))
      return true;  // U+200B-U+200F, U+2028-U+202E
    if (a == 0xE2 && b == 0x81 && (c == 0xA0 || (c >= 0xA6 && c <= 0xA9)))
      return true;                                         // U+2060, U+2066-U+2069
    if (a == 0xEF && b == 0xBB && c == 0xBF) return true;  // U+FEFF
  }
  return false;
}

}  // namespace civic::envelope
