#pragma once
// One labelled corpus line (../shared/corpus/dev.jsonl and the sets in
// data/triage/) as the classifier's input, with its labels: the text, address and
// coordinates the router would see; the divisions (primary first) and the kind.

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "consumers/classify/classifier.hpp"

namespace civic::test {

struct corpus_line {
  corpus_line() = default;
  corpus_line(const corpus_line&) = delete;  // `input` views its own strings
  corpus_line& operator=(const corpus_line&) = delete;

  std::string text, address, kind;
  std::vector<std::string> divisions;
  std::optional<std::string> district;  // null: none
  classify::input input;  // refers to text and address: keep the line while it is used
};

inline std::string text_member(const rapidjson::Value& v, const char* name) {
  return v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

// False when the line is not a JSON object.
inline bool read_corpus_line(const std::string& json, corpus_line& out) {
  rapidjson::Document d;
  d.Parse(json);
  if (d.HasParseError() || !d.IsObject()) return false;
  out.text = text_member(d, "text");
  out.address = text_member(d, "address");
  out.kind = text_member(d, "kind");
  out.divisions.clear();
  if (d.HasMember("divisions") && d["divisions"].IsArray()) {
    for (const auto& l : d["divisions"].GetArray()) out.divisions.emplace_back(l.GetString());
  }
  out.district.reset();
  if (d.HasMember("district") && d["district"].IsString()) out.district = d["district"].GetString();
  out.input = classify::input{.text = out.text, .channel = "corpus"};
  if (!out.address.empty()) out.input.address = out.address;
  if (d.HasMember("lat") && d["lat"].IsNumber() && d.HasMember("lon") && d["lon"].IsNumber()) {
    out.input.lat = d["lat"].GetDouble();
    out.input.lon = d["lon"].GetDouble();
  }
  return true;
}

// Calls each(row) for every non-empty line of `in`; a line that is not a JSON object or
// has no divisions fails the test.
template <class Each>
void for_each_corpus_line(std::istream& in, Each&& each) {
  std::string line;
  corpus_line row;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    REQUIRE(read_corpus_line(line, row));
    REQUIRE_FALSE(row.divisions.empty());
    each(static_cast<const corpus_line&>(row));
  }
}

}  // namespace civic::test
