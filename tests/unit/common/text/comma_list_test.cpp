#include "common/text/comma_list.hpp"

#include <doctest/doctest.h>

#include "common/text/trim.hpp"

using civic::text::comma_list;
using civic::text::comma_list_has;
using items = std::vector<std::string>;

TEST_CASE("a comma list gives its items in order without the empty ones") {
  CHECK(comma_list("roads,parks") == items{"roads", "parks"});
  CHECK(comma_list(",roads,,parks,") == items{"roads", "parks"});
  CHECK(comma_list("roads") == items{"roads"});
  CHECK(comma_list("").empty());
  CHECK(comma_list(",,").empty());
}

TEST_CASE("blanks around an item are not part of it, blanks inside are") {
  CHECK(comma_list(" a ,\tb\t, ,") == items{"a", "b"});
  CHECK(comma_list("civic.v1, bearer.x y") == items{"civic.v1", "bearer.x y"});
}

TEST_CASE("a list has an item only when one is exactly it") {
  CHECK(comma_list_has("civic.batch-acks.v1, other", "civic.batch-acks.v1"));
  CHECK(comma_list_has("a,\tb ", "b"));
  CHECK_FALSE(comma_list_has("civic.batch-acks.v10", "civic.batch-acks.v1"));
  CHECK_FALSE(comma_list_has("", ""));
}

TEST_CASE("trim cuts the chosen characters off both ends and nothing else") {
  using civic::text::trim;
  using civic::text::trim_end;
  CHECK(trim(" \tkey = value\t ") == "key = value");
  CHECK(trim(" \t ").empty());
  CHECK(trim("") == "");
  CHECK(trim("value\r", " \t\r") == "value");
  CHECK(trim_end("thanks!! \n", " \t\n.!") == "thanks");
}
