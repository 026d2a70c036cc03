#pragma once
// `router classify`: corpus-format JSON Lines on `in`, one classification line per
// input line on `out` ({"id","divisions","kind","district","urgency","matched"}).
// A line that cannot be read gets {"id":...,"error":"..."} so outputs stay aligned
// with inputs.

#include <iosfwd>

#include "consumers/classify/classifier.hpp"

namespace civic::router {

struct offline_totals {
  std::size_t lines = 0;
  std::size_t errors = 0;
};

offline_totals classify_lines(const classify::classifier& c, std::istream& in, std::ostream& out);

}  // namespace civic::router
