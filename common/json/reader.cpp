#include "common/json/reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace civic::json {
namespace {

template <class Number>
field_error out_of_range(const std::string& pointer, Number min, Number max) {
  return make_error(errc::out_of_range, pointer,
                    "must be between " + std::to_string(min) + " and " + std::to_string(max));
}

}  // namespace

field_error make_error(errc code, std::string pointer, std::string message) {
  return field_error{code, std::move(pointer), std::move(message)};
}

field_error read_failure(simdjson::error_code error, std::string pointer, std::string must) {
  if (error == simdjson::INCORRECT_TYPE) {
    return make_error(errc::wrong_type, std::move(pointer), std::move(must));
  }
  return simdjson_failure(error, std::move(pointer));
}

field_error simdjson_failure(simdjson::error_code error, std::string pointer) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return make_error(errc::invalid_utf8, "", "the document is not valid UTF-8");
    case simdjson::DEPTH_ERROR:
      return make_error(errc::too_deep, std::move(pointer), "nested too deeply");
    case simdjson::CAPACITY:
      return make_error(errc::too_large, "", "the document is larger than the parser accepts");
    case simdjson::EMPTY:
      return make_error(errc::malformed_json, "", "the document is empty");
    case simdjson::SCALAR_DOCUMENT_AS_VALUE:
      return make_error(errc::wrong_type, std::move(pointer), "must be an object");
    case simdjson::INCORRECT_TYPE:
      return make_error(errc::wrong_type, std::move(pointer), "has the wrong type");
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return make_error(errc::invalid_value, std::move(pointer), "is not a representable number");
    default:
      return make_error(
          errc::malformed_json, std::move(pointer),
          std::string("is not well-formed JSON (") + simdjson::error_message(error) + ")");
  }
}

std::string pointer_token(std::string_view name) {
  constexpr size_t max_bytes = 64;  // enough to recognise a name, bounded in error bodies
  size_t cut = std::min(name.size(), max_bytes);
  while (cut > 0 && cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
    --cut;  // never split a UTF-8 sequence
  }
  std::string token;
  for (char c : name.substr(0, cut)) {
    if (c == '~')
      token += "~0";
    else if (c == '/')
      token += "~1";
    else
      token += c;
  }
  return token;
}

size_t count_code_points(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

expected<bool, field_error> is_null(value& v, const std::string& pointer) {
  simdjson::ondemand::json_type type;
  if (auto error = v.type().get(type)) return unexpected(simdjson_failure(error, pointer));
  return type == simdjson::ondemand::json_type::null;
}

expected<std::string_view, field_error> read_string(value& v, const std::string& pointer,
                                                    length_limits limits) {
  std::string_view s;
  if (auto error = v.get_string().get(s)) {
    return unexpected(read_failure(error, pointer, "must be a string"));
  }
  size_t chars = count_code_points(s);
  if (chars < limits.min_chars) {
    return unexpected(
        make_error(errc::too_short, pointer,
                   limits.min_chars == 1
                       ? std::string("must not be empty")
                       : "must have at least " + std::to_string(limits.min_chars) + " characters"));
  }
  if (chars > limits.max_chars) {
    return unexpected(make_error(errc::too_long, pointer,
                                 "must have at most " + std::to_string(limits.max_chars) +
                                     " characters (has " + std::to_string(chars) + ")"));
  }
  return s;
}

expected<std::optional<std::string_view>, field_error> read_nullable_string(
    value& v, const std::string& pointer, length_limits limits) {
  auto null = is_null(v, pointer);
  if (!null) return unexpected(std::move(null).error());
  if (*null) return std::optional<std::string_view>();
  auto s = read_string(v, pointer, limits);
  if (!s) {
    if (s.error().code == errc::wrong_type) s.error().message = "must be a string or null";
    return unexpected(std::move(s).error());
  }
  return std::optional<std::string_view>(*s);
}

expected<double, field_error> read_number(value& v, const std::string& pointer, double min,
                                          double max) {
  double d = 0;
  if (auto error = v.get_double().get(d)) {
    return unexpected(read_failure(error, pointer, "must be a number"));
  }
  if (!std::isfinite(d) || d < min || d > max) {
    return unexpected(out_of_range(pointer, min, max));
  }
  return d;
}

expected<std::optional<double>, field_error> read_nullable_number(value& v,
                                                                  const std::string& pointer,
                                                                  double min, double max) {
  auto null = is_null(v, pointer);
  if (!null) return unexpected(std::move(null).error());
  if (*null) return std::optional<double>();
  auto d = read_number(v, pointer, min, max);
  if (!d) {
    if (d.error().code == errc::wrong_type) d.error().message = "must be a number or null";
    return unexpected(std::move(d).error());
  }
  return std::optional<double>(*d);
}

expected<int64_t, field_error> read_integer(value& v, const std::string& pointer, int64_t min,
                                            int64_t max) {
  int64_t n = 0;
  if (auto error = v.get_int64().get(n)) {
    return unexpected(read_failure(error, pointer, "must be an integer"));
  }
  if (n < min || n > max) {
    return unexpected(out_of_range(pointer, min, max));
  }
  return n;
}

expected<std::string_view, field_error> member_set::see(std::string_view key,
                                                        const std::string& parent) {
  size_t total = std::min(required_.size() + optional_.size(), max_names);
  for (size_t i = 0; i < total; ++i) {
    std::string_view name = i < required_.size() ? required_[i] : optional_[i - required_.size()];
    if (name != key) continue;
    uint64_t bit = uint64_t{1} << i;
    if (seen_ & bit) {
      return unexpected(make_error(errc::duplicate_field, parent + "/" + std::string(key),
                                   "appears more than once"));
    }
    seen_ |= bit;
    return name;
  }
  return unexpected(make_error(errc::unknown_field, parent + "/" + pointer_token(key),
                               "is not a member this object may have"));
}

std::optional<field_error> member_set::first_missing(const std::string& parent) const {
  for (size_t i = 0; i < std::min(required_.size(), max_names); ++i) {
    if (!(seen_ & (uint64_t{1} << i))) {
      return make_error(errc::missing_field, parent + "/" + std::string(required_[i]),
                        "is required");
    }
  }
  return std::nullopt;
}

}  // namespace civic::json

namespace civic::json {

// The end of the string whose opening quote is at `open`: the next quote not
// escaped (preceded by an even number of backslashes), found with memchr, as
// strings are most of a message's bytes; size() when it never ends.
size_t string_end(std::string_view json, size_t open) {
  size_t at = open + 1;
  while (at < json.size()) {
    const void* quote = std::memchr(json.data() + at, '"', json.size() - at);
    if (!quote) return json.size();
    const size_t q = static_cast<size_t>(static_cast<const char*>(quote) - json.data());
    size_t backslashes = 0;
    while (q - backslashes > open + 1 && json[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q;
    at = q + 1;
  }
  return json.size();
}

size_t nesting_depth(std::string_view json) {
  size_t depth = 0, deepest = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    switch (json[i]) {
      case '"':
        i = string_end(json, i);
        break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

}  // namespace civic::json
