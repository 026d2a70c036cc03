#include "consumers/dedup/case_json.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "consumers/dedup/deduplicator.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

namespace {

bool valid_case(const std::string& json) {
  rapidjson::Document schema_doc;
  schema_doc.Parse(
      civic::test::read_file(civic::test::schemas_dir() / "case.v1.schema.json").c_str());
  REQUIRE_FALSE(schema_doc.HasParseError());
  rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  rapidjson::SchemaValidator validator(schema);
  return !doc.HasParseError() && doc.Accept(validator);
}

}  // namespace

using namespace civic::dedup;

TEST_CASE("the public case record carries what divisions need, and no matching internals") {
  case_state c;
  c.id = "case-0193";
  c.report_count = 3;
  c.duplicates_dropped = 2;
  c.members = {"m1", "m2"};
  c.first_seen_ms = 1'741'600'000'000;
  c.last_seen_ms = 1'741'603'600'000;
  c.divisions = {"roads", "water"};
  c.district = "Mapo-gu";
  c.location = geo_point{37.5576, 126.924};
  c.fingerprints.push_back({1, 2, 3, "m1"});
  rapidjson::Document doc;
  doc.Parse(case_to_json(c).c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc["version"].GetInt() == 1);
  CHECK(std::string(doc["id"].GetString()) == "case-0193");
  CHECK(doc["report_count"].GetUint64() == 3);
  CHECK(doc["duplicates_dropped"].GetUint64() == 2);
  CHECK(doc["members"].Size() == 2);
  CHECK(doc["members_truncated"].GetBool());
  CHECK(std::string(doc["first_seen"].GetString()) == "2025-03-10T09:46:40.000Z");
  CHECK(std::string(doc["last_seen"].GetString()) == "2025-03-10T10:46:40.000Z");
  CHECK(std::string(doc["divisions"][0].GetString()) == "roads");
  CHECK(std::string(doc["district"].GetString()) == "Mapo-gu");
  CHECK(doc["location"]["lat"].GetDouble() == 37.5576);
  CHECK(std::string(doc["status"].GetString()) == "open");
  CHECK_FALSE(doc.HasMember("fingerprints"));
  CHECK_FALSE(doc.HasMember("signatures"));
  CHECK(valid_case(case_to_json(c)));

  SUBCASE("a closed citywide case without coordinates is valid too") {
    c.closed = true;
    c.district.reset();
    c.location.reset();
    c.report_count = 2;
    CHECK(valid_case(case_to_json(c)));
    CHECK(std::string(rapidjson::Document().Parse(case_to_json(c).c_str())["status"].GetString()) ==
          "closed");
  }
}

TEST_CASE("an idea's support carries the configured milestones; other cases' are null") {
  case_state c;
  c.id = "case-i1";
  c.report_count = 1;
  c.members = {"m1"};
  c.divisions = {"transport"};
  c.kind = "idea";
  c.lifecycle.edit().support_count = 37;
  std::vector<support_threshold> milestones{
      {50, "department_answers"}, {100, "public_forum"}, {1000, "mayor_answers"}};
  rapidjson::Document doc;
  doc.Parse(case_to_json(c, milestones).c_str());
  const auto& m = doc["support"]["milestones"];
  REQUIRE(m.IsArray());
  REQUIRE(m.Size() == 3);
  CHECK(m[0]["threshold"].GetUint64() == 50);
  CHECK(std::string(m[2]["milestone"].GetString()) == "mayor_answers");
  CHECK(doc["support"]["count"].GetUint64() == 37);
  CHECK(valid_case(case_to_json(c, milestones)));

  c.kind = "complaint";
  doc.Parse(case_to_json(c, milestones).c_str());
  CHECK(doc["support"]["milestones"].IsNull());
  CHECK(valid_case(case_to_json(c, milestones)));
}

TEST_CASE("a changelog value that does not read is refused with a reason") {
  CHECK_FALSE(state_from_json("{").has_value());
  CHECK_FALSE(state_from_json(R"({"id":"x"})").has_value());
  CHECK(state_from_json(R"({"id":"x"})").error().find("missing") != std::string::npos);
}

TEST_CASE("a case carries what a dashboard lists it by, also through the changelog") {
  case_state c;
  c.id = "case-d1";
  c.report_count = 2;
  c.members = {"m1", "m2"};
  c.first_seen_ms = 1'741'600'000'000;
  c.last_seen_ms = 1'741'603'600'000;
  c.divisions = {"roads"};
  c.title = "보도블록이 깨졌어요";
  c.latest_text = "Broken paving stones at exit 2";
  c.kind = "complaint";
  c.urgency = "high";
  c.channels = {"kakao", "web"};
  rapidjson::Document doc;
  doc.Parse(case_to_json(c).c_str());
  CHECK(std::string(doc["title"].GetString()) == c.title);
  CHECK(std::string(doc["latest_text"].GetString()) == c.latest_text);
  CHECK(std::string(doc["kind"].GetString()) == "complaint");
  CHECK(std::string(doc["urgency"].GetString()) == "high");
  CHECK(doc["channels"].Size() == 2);
  CHECK(valid_case(case_to_json(c)));
  auto back = state_from_json(state_to_json(c));
  REQUIRE(back);
  CHECK(back->title == c.title);
  CHECK(back->latest_text == c.latest_text);
  CHECK(back->urgency == "high");
  CHECK(back->channels == c.channels);
}

TEST_CASE("a case of one report shows its text as both title and latest text") {
  case_state c;
  c.id = "case-d2";
  c.report_count = 1;
  c.members = {"m1"};
  c.divisions = {"roads"};
  c.title = "보도블록이 깨졌어요";
  rapidjson::Document doc;
  doc.Parse(case_to_json(c).c_str());
  CHECK(std::string(doc["latest_text"].GetString()) == c.title);
  auto back = state_from_json(state_to_json(c));
  REQUIRE(back);
  CHECK(back->latest() == c.title);
  CHECK(back->latest_text.empty());
}

TEST_CASE("titles are cut at 140 characters on a character boundary") {
  std::string korean;
  for (int i = 0; i < 200; ++i) korean += "가";
  std::string cut = excerpt(korean);
  CHECK(cut.size() == 140 * 3 + 3);  // 140 syllables and the ellipsis
  CHECK(cut.ends_with("\u2026"));
  CHECK(excerpt("short") == "short");
}
