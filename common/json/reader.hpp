#pragma once
// Reading simdjson on-demand values with errors that name the field and say why.
// Include only from .cpp files: simdjson.h is large.

#include <simdjson.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/errc.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"

namespace civic::json {

using simdjson::ondemand::value;

// Maps a simdjson failure met at `pointer` to the project's error.
field_error simdjson_failure(simdjson::error_code error, std::string pointer);

field_error make_error(errc code, std::string pointer, std::string message);

// Why a value could not be read as what `must` says ("must be a string"): wrong_type
// with that message when the value has another type, else simdjson_failure's answer.
field_error read_failure(simdjson::error_code error, std::string pointer, std::string must);

// A member name as an RFC 6901 reference token ('~' -> "~0", '/' -> "~1").
std::string pointer_token(std::string_view name);

// Length in Unicode code points of valid UTF-8.
size_t count_code_points(std::string_view utf8);

struct length_limits {
  size_t min_chars = 0;
  size_t max_chars = SIZE_MAX;
};

expected<std::string_view, field_error> read_string(value& v, const std::string& pointer,
                                                    length_limits limits);
// A string that must also satisfy `valid`; `expectation` says what it must be.
template <class Pred>
expected<std::string_view, field_error> read_string_matching(value& v, const std::string& pointer,
                                                             length_limits limits, Pred valid,
                                                             const char* expectation) {
  auto s = read_string(v, pointer, limits);
  if (s && !valid(*s)) return unexpected(make_error(errc::invalid_value, pointer, expectation));
  return s;
}

// null reads as nullopt.
expected<std::optional<std::string_view>, field_error> read_nullable_string(
    value& v, const std::string& pointer, length_limits limits);
expected<double, field_error> read_number(value& v, const std::string& pointer, double min,
                                          double max);
expected<std::optional<double>, field_error> read_nullable_number(value& v,
                                                                  const std::string& pointer,
                                                                  double min, double max);
expected<int64_t, field_error> read_integer(value& v, const std::string& pointer, int64_t min,
                                            int64_t max);
// True when v is JSON null; a failure to read the type becomes an error.
expected<bool, field_error> is_null(value& v, const std::string& pointer);

// The members an object may have, for duplicate, unknown and missing checks.
// Made once per object read, so it allocates nothing: it refers to the caller's
// name lists (which must outlive it) and keeps what it saw in a bit set.
class member_set {
 public:
  static constexpr size_t max_names = 64;
  // required: names that must appear; optional: names that may (at most
  // max_names in all; names beyond are not taken).
  member_set(std::span<const std::string_view> required,
             std::span<const std::string_view> optional = {})
      : required_(required), optional_(optional) {}

  // Records a member; fails on an unknown or repeated name.
  expected<std::string_view, field_error> see(std::string_view key, const std::string& parent);
  // The first required member not seen, as an error.
  std::optional<field_error> first_missing(const std::string& parent) const;

 private:
  std::span<const std::string_view> required_;
  std::span<const std::string_view> optional_;
  uint64_t seen_ = 0;
};

// Iterates an object's members, calling on_member(name, value, pointer) for each
// after the member_set check; stops at the first error.
template <class OnMember>
std::optional<field_error> for_each_member(value& v, const std::string& pointer,
                                           member_set& members, OnMember&& on_member) {
  simdjson::ondemand::object object;
  if (auto error = v.get_object().get(object)) {
    return read_failure(error, pointer, "must be an object");
  }
  for (auto member : object) {
    std::string_view key;
    if (auto error = member.unescaped_key().get(key)) return simdjson_failure(error, pointer);
    auto known = members.see(key, pointer);
    if (!known) return std::move(known).error();
    std::string member_pointer = pointer + "/" + std::string(*known);
    simdjson::ondemand::value member_value;
    if (auto error = member.value().get(member_value)) {
      return simdjson_failure(error, member_pointer);
    }
    if (auto failed = on_member(*known, member_value, member_pointer)) return failed;
  }
  return members.first_missing(pointer);
}

// Iterates an array of at most `max_items` items, calling on_item(value, pointer) for
// each; stops at the first error. `must` says what the value must be ("must be an array
// of URLs"); `items` names the items in the too_long error ("at most 4 media links").
template <class OnItem>
std::optional<field_error> for_each_item(value& v, const std::string& pointer, std::string must,
                                         size_t max_items, std::string_view items,
                                         OnItem&& on_item) {
  simdjson::ondemand::array array;
  if (auto error = v.get_array().get(array)) return read_failure(error, pointer, std::move(must));
  size_t index = 0;
  for (auto item : array) {
    std::string item_pointer = pointer + "/" + std::to_string(index);
    if (index++ == max_items) {
      return make_error(errc::too_long, item_pointer,
                        "at most " + std::to_string(max_items) + " " + std::string(items));
    }
    simdjson::ondemand::value item_value;
    if (auto error = item.get(item_value)) return simdjson_failure(error, item_pointer);
    if (auto failed = on_item(item_value, item_pointer)) return failed;
  }
  return std::nullopt;
}

}  // namespace civic::json

namespace civic::json {

// The deepest nesting of arrays and objects in a JSON text (brackets inside
// strings ignored), found without parsing: lets an over-deep document be
// refused as too_deep before anything else looks at it.
size_t nesting_depth(std::string_view json);

}  // namespace civic::json
