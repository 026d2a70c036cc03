// Every schema in schemas/ must accept each of its valid examples and reject each
// of its invalid ones (schemas/examples/<schema name>/{valid,invalid}/).

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <filesystem>

#include "support/files.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

namespace {

constexpr unsigned parse_flags = rapidjson::kParseValidateEncodingFlag;

std::string schema_name(const fs::path& schema_file) {
  std::string name = schema_file.filename().string();
  return name.substr(0, name.size() - std::string(".schema.json").size());
}

// Empty when the document parses and validates; otherwise why not.
std::string validate(const rapidjson::SchemaDocument& schema, const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<parse_flags>(text.c_str(), text.size());
  if (doc.HasParseError())
    return std::string("parse: ") + rapidjson::GetParseError_En(doc.GetParseError());
  rapidjson::SchemaValidator validator(schema);
  if (doc.Accept(validator)) return {};
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return std::string("schema: ") + validator.GetInvalidSchemaKeyword() + " at " + where.GetString();
}

}  // namespace

TEST_CASE("every schema accepts its valid examples and rejects its invalid ones") {
  int schemas = 0;
  for (const auto& entry : fs::directory_iterator(civic::test::schemas_dir())) {
    if (!entry.path().string().ends_with(".schema.json")) continue;
    ++schemas;
    std::string name = schema_name(entry.path());
    CAPTURE(name);
    rapidjson::Document schema_doc;
    schema_doc.Parse(civic::test::read_file(entry.path()).c_str());
    REQUIRE_FALSE(schema_doc.HasParseError());
    rapidjson::SchemaDocument schema(schema_doc);

    fs::path examples = civic::test::schemas_dir() / "examples" / name;
    REQUIRE_MESSAGE(fs::is_directory(examples / "valid"), "a schema needs valid examples");
    int valid = 0;
    for (const auto& file : fs::directory_iterator(examples / "valid")) {
      CAPTURE(file.path().filename().string());
      CHECK(validate(schema, civic::test::read_file(file.path())) == "");
      ++valid;
    }
    CHECK(valid > 0);

    rapidjson::Document expectations;
    if (fs::exists(examples / "invalid.expect.json")) {
      expectations.Parse(civic::test::read_file(examples / "invalid.expect.json").c_str());
    }
    if (!fs::is_directory(examples / "invalid")) continue;
    for (const auto& file : fs::directory_iterator(examples / "invalid")) {
      std::string file_name = file.path().filename().string();
      CAPTURE(file_name);
      bool schema_detects = true;  // false where JSON Schema cannot say it (duplicate members)
      if (expectations.IsObject() && expectations.HasMember(file_name.c_str())) {
        const auto& e = expectations[file_name.c_str()];
        if (e.HasMember("schema_detects")) schema_detects = e["schema_detects"].GetBool();
      }
      std::string verdict = validate(schema, civic::test::read_file(file.path()));
      if (schema_detects) CHECK(verdict != "");
    }
  }
  CHECK(schemas > 0);
}

TEST_CASE("every channel fixture validates against its channel's schema") {
  int channels = 0;
  for (const auto& entry : fs::directory_iterator(civic::test::schemas_dir() / "channels")) {
    std::string channel = schema_name(entry.path());
    CAPTURE(channel);
    rapidjson::Document schema_doc;
    schema_doc.Parse(civic::test::read_file(entry.path()).c_str());
    REQUIRE_FALSE(schema_doc.HasParseError());
    rapidjson::SchemaDocument schema(schema_doc);
    fs::path fixtures = civic::test::source_dir() / "tests" / "fixtures" / channel;
    REQUIRE_MESSAGE(fs::is_directory(fixtures), "a channel schema needs fixtures");
    int count = 0;
    for (const auto& file : fs::directory_iterator(fixtures)) {
      CAPTURE(file.path().filename().string());
      CHECK(validate(schema, civic::test::read_file(file.path())) == "");
      ++count;
    }
    CHECK(count > 0);
    ++channels;
  }
  CHECK(channels == 8);
}
