#pragma once
// Masks personal data inside citizen text before it leaves the gateway: e-mail
// addresses, Korean resident registration numbers and phone numbers (Korean
// mobile and landline, +82 and other international forms) become the tokens
// [email], [rrn] and [phone]. Uses RE2: linear time on hostile input.

#include <string>

namespace civic::text {

struct mask_counts {
  int emails = 0;
  int rrns = 0;
  int phones = 0;
  int total() const { return emails + rrns + phones; }
};

// Masks in place; returns how many of each were replaced.
mask_counts mask_personal_data(std::string& text);

}  // namespace civic::text
