#include "common/text/pii_mask.hpp"

#include <re2/re2.h>

#include <algorithm>

namespace civic::text {
namespace {

// Order matters: an e-mail may contain digit runs, and a resident registration
// number (YYMMDD-GNNNNNN) would otherwise be taken for a phone number.
const RE2& email_pattern() {
  static const RE2 re(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})");
  return re;
}

const RE2& rrn_pattern() {
  // YYMMDD, an optional separator, a gender/century digit 1-8, six more digits.
  static const RE2 re(R"([0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[- ]?[1-8][0-9]{6})");
  return re;
}

const RE2& phone_pattern() {
  static const RE2 re(
      // Korean mobile, optionally +82: 010-1234-5678, 01012345678, +82 10 1234 5678
      R"((?:\+82[ .\-]?|\b0)1[016789][ .\-]?[0-9]{3,4}[ .\-]?[0-9]{4}\b)"
      // Korean landline: 02-123-4567, (031) 123-4567, 064.123.4567
      R"(|\(?\b0(?:2|[3-6][1-5])\)?[ .\-]?[0-9]{3,4}[ .\-]?[0-9]{4}\b)"
      // Other international numbers written with a leading +
      R"(|\+[1-9][0-9]{0,2}[ .\-]?(?:\(?[0-9]{1,4}\)?[ .\-]?){2,4}[0-9]{2,4}\b)");
  return re;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A resident registration number must not be part of a longer digit run (an
// account or order number); RE2 has no look-around, so that is checked here.
int mask_rrns(std::string& text) {
  int count = 0;
  std::string out;
  size_t pos = 0;
  re2::StringPiece match;
  while (pos < text.size() &&
         rrn_pattern().Match(text, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    size_t start = static_cast<size_t>(match.data() - text.data());
    size_t end = start + match.size();
    bool inside_longer_number =
        (start > 0 && is_digit(text[start - 1])) || (end < text.size() && is_digit(text[end]));
    if (inside_longer_number) {
      out.append(text, pos, start + 1 - pos);
      pos = start + 1;
      continue;
    }
    out.append(text, pos, start - pos);
    out += "[rrn]";
    pos = end;
    ++count;
  }
  if (count) {
    out.append(text, pos, std::string::npos);
    text = std::move(out);
  }
  return count;
}

}  // namespace

mask_counts mask_personal_data(std::string& text) {
  mask_counts counts;
  // What each pattern needs at the least, counted once: an e-mail an @; a
  // resident registration number 13 digits; a phone number 9 digits (02-123-4567),
  // or a + and 5 (+1 23 45). Most messages (a time, a house number) have none of it,
  // and masking only removes digits, so what the text lacks now it lacks later.
  size_t digits = 0;
  bool at = false, plus = false;
  for (char c : text) {
    digits += is_digit(c) ? 1u : 0u;
    at = at || c == '@';
    plus = plus || c == '+';
  }
  if (at) counts.emails = RE2::GlobalReplace(&text, email_pattern(), "[email]");
  if (digits >= 13) counts.rrns = mask_rrns(text);
  if (digits >= 9 || (plus && digits >= 5)) {
    counts.phones = RE2::GlobalReplace(&text, phone_pattern(), "[phone]");
  }
  return counts;
}

}  // namespace civic::text
