#include "gateway/channels/support/form.hpp"

#include <utf8proc.h>

#include "common/text/hex.hpp"

namespace civic::gateway::channels {
namespace {

// Percent-decoding (URL Standard §1.3) with '+' as space.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && text::hex_value(s[i + 1]) >= 0 &&
               text::hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(text::hex_value(s[i + 1]) * 16 + text::hex_value(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The length of the maximal subpart of an ill-formed sequence at `bytes`
// (Unicode §3.9, Table 3-7): the bytes that began a valid sequence, at least one.
size_t maximal_subpart(const unsigned char* bytes, size_t size) {
  unsigned char lead = bytes[0];
  size_t needed = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  }
  size_t n = 1;
  while (n <= needed && n < size) {
    unsigned char c = bytes[n];
    bool ok = n == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF);
    if (!ok) break;
    ++n;
  }
  return n;
}

// UTF-8 decode without BOM or fail (Encoding Standard): each maximal subpart of
// an ill-formed sequence becomes one U+FFFD.
std::string utf8_or_replacement(std::string bytes) {
  const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(bytes.data());
  const auto size = static_cast<utf8proc_ssize_t>(bytes.size());
  std::string out;
  bool valid = true;
  for (utf8proc_ssize_t pos = 0; pos < size;) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(data + pos, size - pos, &cp);
    if (n > 0) {
      if (!valid) out.append(bytes, static_cast<size_t>(pos), static_cast<size_t>(n));
      pos += n;
      continue;
    }
    if (valid) {
      out.assign(bytes, 0, static_cast<size_t>(pos));
      valid = false;
    }
    out += "\xEF\xBF\xBD";
    pos +=
        static_cast<utf8proc_ssize_t>(maximal_subpart(data + pos, static_cast<size_t>(size - pos)));
  }
  return valid ? bytes : out;
}

}  // namespace

form_pairs parse_form_pairs(std::string_view encoded) {
  form_pairs pairs;
  while (!encoded.empty()) {
    size_t amp = encoded.find('&');
    std::string_view sequence = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (sequence.empty()) continue;
    size_t eq = sequence.find('=');
    std::string_view name = sequence.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : sequence.substr(eq + 1);
    pairs.emplace_back(utf8_or_replacement(percent_decode(name)),
                       utf8_or_replacement(percent_decode(value)));
  }
  return pairs;
}

std::optional<std::string> first_value(const form_pairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name && !v.empty()) return v;
  }
  return std::nullopt;
}

form_fields parse_form(std::string_view encoded) {
  form_fields fields;
  for (auto& [name, value] : parse_form_pairs(encoded))
    fields.emplace(std::move(name), std::move(value));
  return fields;
}

}  // namespace civic::gateway::channels
