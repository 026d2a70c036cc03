#pragma once
// Reading back the project's own state records (changelogs, ledgers, reply
// tokens) with RapidJSON: each read gives the member if it has the expected
// type, or false. What other services write to a contract topic is read
// strictly instead (responses::detail::fields names the field and says why).
// Include only from .cpp files: rapidjson is large.

#include <rapidjson/document.h>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/parse.hpp"

namespace civic::json {

// Parses `text` into `doc`: true when it is a JSON object.
inline bool parse_object(std::string_view text, rapidjson::Document& doc) {
  parse(doc, text);
  return !doc.HasParseError() && doc.IsObject();
}

inline const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name) {
  auto m = object.FindMember(rapidjson::StringRef(name.data(), name.size()));
  return m == object.MemberEnd() ? nullptr : &m->value;
}

inline bool read(const rapidjson::Value& object, std::string_view name, std::string& out) {
  const rapidjson::Value* v = find(object, name);
  if (!v || !v->IsString()) return false;
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}

// A string member, or null (read as empty).
inline bool read_nullable(const rapidjson::Value& object, std::string_view name, std::string& out) {
  const rapidjson::Value* v = find(object, name);
  if (v && v->IsNull()) {
    out.clear();
    return true;
  }
  return read(object, name, out);
}

template <std::integral I>
requires(!std::same_as<I, bool>) bool read(const rapidjson::Value& object, std::string_view name,
                                           I& out) {
  const rapidjson::Value* v = find(object, name);
  if constexpr (std::signed_integral<I>) {
    if (!v || !v->IsInt64()) return false;
    out = static_cast<I>(v->GetInt64());
  } else {
    if (!v || !v->IsUint64()) return false;
    out = static_cast<I>(v->GetUint64());
  }
  return true;
}

// An array of strings, appended to `out`.
inline bool read(const rapidjson::Value& object, std::string_view name,
                 std::vector<std::string>& out) {
  const rapidjson::Value* v = find(object, name);
  if (!v || !v->IsArray()) return false;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) return false;
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return true;
}

}  // namespace civic::json
