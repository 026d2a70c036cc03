#include "common/envelope/envelope_json.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>

#include "common/error/errc.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

using namespace civic;
using civic::envelope::feedback_kind;
using civic::envelope::location;
using civic::envelope::message;
using civic::envelope::parse_json;
using civic::envelope::reply_reference;
using civic::envelope::to_json;
namespace limits = civic::envelope::limits;

namespace {

const std::filesystem::path examples = test::schemas_dir() / "examples" / "envelope.v1";

message sample() {
  message e;
  e.id = "0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f";
  e.received_at = "2026-11-22T01:12:33.512Z";
  e.channel = "kakao";
  e.channel_message_id = "kakao-ch-20261122-00017";
  e.idempotency_key = "kakao:kakao-ch-20261122-00017";
  e.source = "/gateway/channels/kakao";
  e.kind = feedback_kind::complaint;
  e.text = "성북구 길음동 \"8단지\" 앞 수도관 누수\n물이 샙니다 \\ 급해요";
  e.language = "ko";
  e.place = location{37.6031, 127.0248, std::string("서울특별시 성북구 길음동"),
                     std::string("Seongbuk-gu")};
  e.media = {"https://cdn.example.org/a.jpg", "http://cdn.example.org/b.png"};
  e.author_id = "3f2c9a7e51b04d6c8e9f0a1b2c3d4e5f";
  e.reply_to = reply_reference{"kakao", "rt1.k2026a.c2VhbGVkLWJ5LXRoZS1nYXRld2F5"};
  return e;
}

}  // namespace

TEST_CASE("an envelope survives a JSON round trip unchanged") {
  message original = sample();
  std::string json = to_json(original);
  auto parsed = parse_json(json);
  REQUIRE_MESSAGE(parsed.has_value(), parsed.error().pointer << ": " << parsed.error().message);
  CHECK(*parsed == original);
  CHECK(to_json(*parsed) == json);
}

TEST_CASE("an envelope with every optional member null round-trips") {
  message e = sample();
  e.kind.reset();
  e.place.reset();
  e.media.clear();
  e.author_id.reset();
  e.reply_to.reset();
  auto parsed = parse_json(to_json(e));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == e);
}

TEST_CASE("a bridge's envelope, an Open311 service and its attributes round-trip") {
  message e = sample();
  e.channel = "callcentre";
  e.idempotency_key = "bridge/relay-1/callcentre:c-1";
  e.source = "/gateway/bridges/relay-1";
  e.service = envelope::service_reference{"pothole", "roads"};
  e.attributes = {{"DEPTH", {"deep"}}, {"KIND", {"a", "b"}}};
  auto parsed = parse_json(to_json(e));
  REQUIRE_MESSAGE(parsed.has_value(), parsed.error().pointer << ": " << parsed.error().message);
  CHECK(*parsed == e);
}

TEST_CASE("records written before source, service and attributes existed still parse") {
  rapidjson::Document doc;
  doc.Parse(to_json(sample()).c_str());
  for (const char* later : {"source", "service", "attributes"}) doc.RemoveMember(later);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  doc.Accept(w);
  auto parsed = parse_json({buffer.GetString(), buffer.GetSize()});
  REQUIRE(parsed.has_value());
  CHECK(parsed->source == "/gateway/channels/kakao");
  CHECK_FALSE(parsed->service);
  CHECK(parsed->attributes.empty());
}

TEST_CASE("a source that is neither a channel's nor a bridge's is refused") {
  message e = sample();
  e.source = "/gateway/channels/Not A Channel";
  auto parsed = parse_json(to_json(e));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().pointer == "/source");
}

TEST_CASE("written JSON has every schema member, null where unknown") {
  message e = sample();
  e.place.reset();
  rapidjson::Document doc;
  doc.Parse(to_json(e).c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc.MemberCount() == 16);
  CHECK(doc["location"].IsNull());
  CHECK(doc["version"].GetInt() == 1);
  CHECK(std::string(doc["kind"].GetString()) == "complaint");
}

TEST_CASE("every valid example parses and writes back to the same value") {
  int count = 0;
  for (const auto& file : std::filesystem::directory_iterator(examples / "valid")) {
    CAPTURE(file.path().filename().string());
    auto parsed = parse_json(test::read_file(file.path()));
    REQUIRE_MESSAGE(parsed.has_value(), parsed.error().pointer << ": " << parsed.error().message);
    auto again = parse_json(to_json(*parsed));
    REQUIRE(again.has_value());
    CHECK(*again == *parsed);
    ++count;
  }
  CHECK(count >= 3);
}

TEST_CASE("every invalid example is rejected with its documented code and pointer") {
  rapidjson::Document expectations;
  expectations.Parse(test::read_file(examples / "invalid.expect.json").c_str());
  REQUIRE(expectations.IsObject());
  int count = 0;
  for (const auto& file : std::filesystem::directory_iterator(examples / "invalid")) {
    std::string name = file.path().filename().string();
    CAPTURE(name);
    REQUIRE_MESSAGE(expectations.HasMember(name.c_str()), "no expectation in invalid.expect.json");
    const auto& expect = expectations[name.c_str()];
    auto parsed = parse_json(test::read_file(file.path()));
    REQUIRE_FALSE(parsed.has_value());
    CHECK(error_name(parsed.error().code) == std::string(expect["code"].GetString()));
    CHECK(parsed.error().pointer == std::string(expect["pointer"].GetString()));
    CHECK_FALSE(parsed.error().message.empty());
    ++count;
  }
  CHECK(count == static_cast<int>(expectations.MemberCount()));
}

TEST_CASE("errors never echo the rejected value") {
  message e = sample();
  std::string json = to_json(e);
  std::string secret = "010-9876-5432";
  json.replace(json.find("\"language\":\"ko\""), 15, "\"language\":\"" + secret + "\"");
  auto parsed = parse_json(json);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().pointer == "/language");
  CHECK(parsed.error().message.find(secret) == std::string::npos);
}

TEST_CASE("text length is counted in characters, not bytes") {
  message e = sample();
  e.text = std::string();
  for (size_t i = 0; i < limits::text_chars; ++i) e.text += "가";  // 3 bytes each
  CHECK(parse_json(to_json(e)).has_value());
  e.text += "가";
  auto parsed = parse_json(to_json(e));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == errc::too_long);
}

TEST_CASE("garbage and truncated input are rejected as malformed, not crashed on") {
  std::string json = to_json(sample());
  for (size_t cut : {size_t{0}, size_t{1}, json.size() / 2, json.size() - 1}) {
    CAPTURE(cut);
    auto parsed = parse_json(std::string_view(json).substr(0, cut));
    CHECK_FALSE(parsed.has_value());
  }
  CHECK_FALSE(parse_json("{\"version\":1,").has_value());
  CHECK_FALSE(parse_json("null").has_value());
}

TEST_CASE("media and attribute values are arrays with a bounded number of items") {
  message e = sample();
  e.media.assign(limits::media_items, "https://cdn.example.org/a.jpg");
  CHECK(parse_json(to_json(e)).has_value());
  e.media.push_back("https://cdn.example.org/b.jpg");
  auto parsed = parse_json(to_json(e));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == errc::too_long);
  CHECK(parsed.error().pointer == "/media/" + std::to_string(limits::media_items));
  CHECK(parsed.error().message ==
        "at most " + std::to_string(limits::media_items) + " media links");

  e = sample();
  e.attributes = {{"KIND", std::vector<std::string>(limits::attribute_values, "a")}};
  CHECK(parse_json(to_json(e)).has_value());
  e.attributes[0].values.push_back("b");
  parsed = parse_json(to_json(e));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == errc::too_long);
  CHECK(parsed.error().pointer == "/attributes/KIND/" + std::to_string(limits::attribute_values));

  std::string json = to_json(sample());
  size_t media = json.find("\"media\":[") + 8;
  json.replace(media, json.find(']', media) + 1 - media, "{}");
  parsed = parse_json(json);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == errc::wrong_type);
  CHECK(parsed.error().pointer == "/media");
  CHECK(parsed.error().message == "must be an array of URLs");
}
