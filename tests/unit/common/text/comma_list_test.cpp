#include "common/text/comma_list.hpp"

#include <doctest/doctest.h>

using civic::text::comma_list;
using items = std::vector<std::string>;

TEST_CASE("a comma list gives its items in order without the empty ones") {
  CHECK(comma_list("roads,parks") == items{"roads", "parks"});
  CHECK(comma_list(",roads,,parks,") == items{"roads", "parks"});
  CHECK(comma_list("roads") == items{"roads"});
  CHECK(comma_list("").empty());
  CHECK(comma_list(",,").empty());
  CHECK(comma_list(" a , b") == items{" a ", " b"});  // not trimmed
}
