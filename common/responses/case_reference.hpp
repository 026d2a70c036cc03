#pragma once
// The short reference of a case a citizen can read and quote ("접수번호 3C4D5E6F"):
// the last 8 hex digits of its id, upper case. The notices carry it, and a
// support reply names the case by it ("공감 3C4D5E6F").

#include <cctype>
#include <string>
#include <string_view>

namespace civic::responses {

inline std::string case_reference(std::string_view case_id) {
  std::string ref;
  for (size_t i = case_id.size(); i-- > 0 && ref.size() < 8;) {
    unsigned char c = static_cast<unsigned char>(case_id[i]);
    if (std::isxdigit(c)) ref.insert(ref.begin(), static_cast<char>(std::toupper(c)));
  }
  return ref;
}

}  // namespace civic::responses
