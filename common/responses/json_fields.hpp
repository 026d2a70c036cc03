#pragma once
// Strict reading of a RapidJSON object's members with errors that name the
// field (a JSON pointer) and say why, for the feedback.responses and
// feedback.deliveries contracts. Include only from .cpp files.

#include <rapidjson/document.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/errc.hpp"
#include "common/error/expected.hpp"
#include "common/error/field_error.hpp"
#include "common/json/parse.hpp"

namespace civic::responses::detail {

inline size_t code_points(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A division id as the rules name it: [a-z][a-z0-9_]*, at most 32 characters.
inline bool is_division_id(std::string_view s) {
  if (s.empty() || s.size() > 32 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// A contract record's text: JSON (valid UTF-8) and an object.
inline expected<rapidjson::Document, field_error> parse_object(std::string_view json) {
  rapidjson::Document doc;
  json::parse_checking_utf8(doc, json);
  if (doc.HasParseError()) {
    return unexpected(field_error{make_error_code(errc::malformed_json), "", "is not JSON"});
  }
  if (!doc.IsObject()) {
    return unexpected(field_error{make_error_code(errc::wrong_type), "", "must be an object"});
  }
  return doc;
}

class fields {
 public:
  fields(const rapidjson::Value& object, std::string parent)
      : object_(object), parent_(std::move(parent)) {}

  field_error error(errc code, std::string_view name, std::string message) const {
    return {make_error_code(code), parent_ + "/" + std::string(name), std::move(message)};
  }

  // Every name of `a` and `b` present once, those of `optional` at most once, no
  // other member.
  std::optional<field_error> only(std::span<const std::string_view> a,
                                  std::span<const std::string_view> b,
                                  std::span<const std::string_view> optional = {}) const {
    std::vector<std::string_view> seen;
    for (auto m = object_.MemberBegin(); m != object_.MemberEnd(); ++m) {
      std::string_view name(m->name.GetString(), m->name.GetStringLength());
      bool known = false;
      for (auto n : a) known |= n == name;
      for (auto n : b) known |= n == name;
      for (auto n : optional) known |= n == name;
      if (!known) return error(errc::unknown_field, name, "is not a member of this record");
      for (auto s : seen) {
        if (s == name) return error(errc::duplicate_field, name, "appears twice");
      }
      seen.push_back(name);
    }
    for (auto list : {a, b}) {
      for (auto n : list) {
        if (!object_.HasMember(rapidjson::StringRef(n.data(), n.size()))) {
          return error(errc::missing_field, n, "is required");
        }
      }
    }
    return std::nullopt;
  }

  expected<std::string, field_error> string(std::string_view name, size_t min_chars,
                                            size_t max_chars) const {
    const rapidjson::Value* v = find(name);
    if (!v) return unexpected(error(errc::missing_field, name, "is required"));
    if (!v->IsString()) return unexpected(error(errc::wrong_type, name, "must be a string"));
    std::string_view s(v->GetString(), v->GetStringLength());
    size_t n = code_points(s);
    if (n < min_chars) {
      return unexpected(error(errc::too_short, name,
                              "must have at least " + std::to_string(min_chars) + " characters"));
    }
    if (n > max_chars) {
      return unexpected(error(errc::too_long, name,
                              "must have at most " + std::to_string(max_chars) + " characters"));
    }
    return std::string(s);
  }

  expected<std::optional<std::string>, field_error> nullable_string(std::string_view name,
                                                                    size_t min_chars,
                                                                    size_t max_chars) const {
    const rapidjson::Value* v = find(name);
    if (v && v->IsNull()) return std::optional<std::string>();
    auto s = string(name, min_chars, max_chars);
    if (!s) return unexpected(s.error());
    return std::optional<std::string>(std::move(*s));
  }

  expected<std::optional<const rapidjson::Value*>, field_error> nullable_object(
      std::string_view name) const {
    const rapidjson::Value* v = find(name);
    if (!v) return unexpected(error(errc::missing_field, name, "is required"));
    if (v->IsNull()) return std::optional<const rapidjson::Value*>();
    if (!v->IsObject()) {
      return unexpected(error(errc::wrong_type, name, "must be an object or null"));
    }
    return std::optional<const rapidjson::Value*>(v);
  }

  expected<int64_t, field_error> integer(std::string_view name, int64_t min, int64_t max) const {
    const rapidjson::Value* v = find(name);
    if (!v) return unexpected(error(errc::missing_field, name, "is required"));
    if (!v->IsInt64()) return unexpected(error(errc::wrong_type, name, "must be an integer"));
    int64_t n = v->GetInt64();
    if (n < min || n > max) {
      return unexpected(
          error(errc::out_of_range, name,
                "must be between " + std::to_string(min) + " and " + std::to_string(max)));
    }
    return n;
  }

  expected<bool, field_error> boolean(std::string_view name) const {
    const rapidjson::Value* v = find(name);
    if (!v) return unexpected(error(errc::missing_field, name, "is required"));
    if (!v->IsBool()) return unexpected(error(errc::wrong_type, name, "must be true or false"));
    return v->GetBool();
  }

  expected<std::vector<std::string>, field_error> string_array(std::string_view name,
                                                               size_t max_items, size_t min_chars,
                                                               size_t max_chars) const {
    const rapidjson::Value* v = find(name);
    if (!v) return unexpected(error(errc::missing_field, name, "is required"));
    if (!v->IsArray()) return unexpected(error(errc::wrong_type, name, "must be an array"));
    if (v->Size() > max_items) {
      return unexpected(
          error(errc::too_long, name, "has at most " + std::to_string(max_items) + " items"));
    }
    std::vector<std::string> out;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const auto& item = (*v)[i];
      std::string at = std::string(name) + "/" + std::to_string(i);
      if (!item.IsString()) return unexpected(error(errc::wrong_type, at, "must be a string"));
      std::string_view s(item.GetString(), item.GetStringLength());
      size_t n = code_points(s);
      if (n < min_chars || n > max_chars) {
        return unexpected(error(n < min_chars ? errc::too_short : errc::too_long, at,
                                "must have " + std::to_string(min_chars) + " to " +
                                    std::to_string(max_chars) + " characters"));
      }
      out.emplace_back(s);
    }
    return out;
  }

  const rapidjson::Value* find(std::string_view name) const {
    auto m = object_.FindMember(rapidjson::StringRef(name.data(), name.size()));
    return m == object_.MemberEnd() ? nullptr : &m->value;
  }

 private:
  const rapidjson::Value& object_;
  std::string parent_;
};

}  // namespace civic::responses::detail
