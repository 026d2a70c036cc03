// The shipped rules file is valid against schemas/rules.v1.schema.json, and the
// schema and the loader agree on what they refuse.

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <yaml-cpp/yaml.h>

#include "consumers/classify/rules_loader.hpp"
#include "rules_fixture.hpp"
#include "support/files.hpp"

namespace {

// YAML -> JSON the way YAML 1.2's core schema reads plain scalars: numbers,
// booleans and null untyped; quoted scalars stay text.
void to_json(const YAML::Node& n, rapidjson::Value& out, rapidjson::Document::AllocatorType& a) {
  if (n.IsMap()) {
    out.SetObject();
    for (const auto& kv : n) {
      rapidjson::Value key(kv.first.as<std::string>(), a);
      rapidjson::Value value;
      to_json(kv.second, value, a);
      out.AddMember(key, value, a);
    }
  } else if (n.IsSequence()) {
    out.SetArray();
    for (const auto& item : n) {
      rapidjson::Value value;
      to_json(item, value, a);
      out.PushBack(value, a);
    }
  } else if (n.IsNull()) {
    out.SetNull();
  } else {
    const auto text = n.as<std::string>();
    double number = 0;
    if (n.Tag() == "?" && YAML::convert<double>::decode(n, number))
      out.SetDouble(number);
    else if (n.Tag() == "?" && (text == "true" || text == "false"))
      out.SetBool(text == "true");
    else
      out.SetString(text, a);
  }
}

std::string validate_yaml(const std::string& yaml) {
  rapidjson::Document schema_doc;
  schema_doc.Parse(civic::test::read_file(civic::test::schemas_dir() / "rules.v1.schema.json"));
  REQUIRE_FALSE(schema_doc.HasParseError());
  rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document doc;
  to_json(YAML::Load(yaml), doc, doc.GetAllocator());
  rapidjson::SchemaValidator validator(schema);
  if (doc.Accept(validator)) return {};
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return std::string(validator.GetInvalidSchemaKeyword()) + " at " + where.GetString();
}

}  // namespace

TEST_CASE("the shipped Seoul rules validate against the rules schema") {
  CHECK(validate_yaml(civic::test::read_file(civic::test::rules_fixture::shipped_rules())) == "");
}

TEST_CASE("what the schema refuses, the loader refuses too") {
  const char* broken[] = {
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: []}]\n",
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수], wieght: 2}]\n",
      "version: x\ndivisions:\n  triage:\n    rules: [{id: a, terms: [누수]}]\n",
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수], weight: 0}]\n",
      "version: x\ndivisions:\n  water:\n    rules: [{id: a, terms: [누수]}]\nkinds:\n  rules: "
      "[{id: k, kind: rant, terms: [아아]}]\n",
  };
  for (const char* yaml : broken) {
    CAPTURE(yaml);
    CHECK(validate_yaml(yaml) != "");
    CHECK_FALSE(civic::classify::parse_rules(yaml, "t.yaml").has_value());
  }
}
