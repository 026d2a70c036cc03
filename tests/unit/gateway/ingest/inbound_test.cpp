#include "gateway/ingest/inbound.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "common/error/errc.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"

using namespace civic;
using namespace civic::gateway::ingest;

namespace {

const inbound_limits limits{1024, 4, 50};

inbound_failure fails(std::string_view json) {
  auto parsed = parse_inbound(json, limits);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

}  // namespace

TEST_CASE("a full message is read member by member") {
  auto m = parse_inbound(
      R"({"id":"k-1","channel":"kakao","text":"가로등 고장","kind":"complaint","author":"minsu",)"
      R"("language":"ko","location":{"lat":37.57,"lon":126.97,"address":"종로구"},)"
      R"("media":["https://x.example/a.jpg"],"conversation_id":"c-9","reply_message_id":"r-1",)"
      R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})",
      limits);
  REQUIRE(m.has_value());
  CHECK(m->id == "k-1");
  CHECK(m->channel == "kakao");
  CHECK(m->text == "가로등 고장");
  CHECK(m->kind == envelope::feedback_kind::complaint);
  CHECK(m->author == "minsu");
  REQUIRE(m->place);
  CHECK(m->place->lat == 37.57);
  CHECK(m->place->address == "종로구");
  CHECK(m->media.size() == 1);
  CHECK(m->conversation_id == "c-9");
  CHECK(m->reply_message_id == "r-1");
  CHECK(m->traceparent);
}

TEST_CASE("optional members may be absent or null") {
  auto m = parse_inbound(R"({"id":"1","channel":"web","text":"hi","author":null,"location":null})",
                         limits);
  REQUIRE(m.has_value());
  CHECK_FALSE(m->author);
  CHECK_FALSE(m->place);
}

TEST_CASE("each rule names the field and the reason") {
  struct row {
    const char* json;
    errc code;
    const char* pointer;
  };
  const row rows[] = {
      {R"({"channel":"web","text":"hi"})", errc::missing_field, "/id"},
      {R"({"id":"1","channel":"web","text":"hi","x":1})", errc::unknown_field, "/x"},
      {R"({"id":"1","id":"2","channel":"web","text":"hi"})", errc::duplicate_field, "/id"},
      {R"({"id":"1","channel":"web","text":7})", errc::wrong_type, "/text"},
      {R"({"id":"","channel":"web","text":"hi"})", errc::too_short, "/id"},
      {R"({"id":"1","channel":"Web","text":"hi"})", errc::invalid_value, "/channel"},
      {R"({"id":"1","channel":"web","text":"hi","location":{"lon":3}})", errc::invalid_value,
       "/location/lat"},
      {R"({"id":"1","channel":"web","text":"hi","location":{"lat":-91,"lon":3}})",
       errc::out_of_range, "/location/lat"},
      // Beyond a double or a 64-bit integer: simdjson refuses the document; the
      // field is still named.
      {R"({"id":"1","channel":"web","text":"hi","location":{"lat":1e400,"lon":3}})",
       errc::out_of_range, "/location/lat"},
      {R"({"id":"1","channel":"web","text":"hi","location":{"lat":3,"lon":-1e400}})",
       errc::out_of_range, "/location/lon"},
      {R"({"id":"1","channel":"web","text":"hi","location":{"lat":100000000000000000000000,"lon":3}})",
       errc::out_of_range, "/location/lat"},
      {R"({"id":"1","channel":"web","text":"hi","media":[1,2,1e999]})", errc::out_of_range,
       "/media/2"},
      {R"({"id":"1","channel":"web","text":"hi","media":"https://a"})", errc::wrong_type, "/media"},
      {R"({"id":"1","channel":"web","text":"hi","media":["https://a","file:///etc"]})",
       errc::invalid_value, "/media/1"},
      // A host, and no credentials in the URL (they would reach a topic in clear).
      {R"({"id":"1","channel":"web","text":"hi","media":["http://"]})", errc::invalid_value,
       "/media/0"},
      {R"({"id":"1","channel":"web","text":"hi","media":["https://u:p@evil.example/x"]})",
       errc::invalid_value, "/media/0"},
      {R"({"id":"1","channel":"web","text":"hi","media":["http:// evil"]})", errc::invalid_value,
       "/media/0"},
      {R"({"id":"1","channel":"web","text":"hi","language":"korean"})", errc::too_long,
       "/language"},
      {R"({"id":"1","channel":"web","text":"hi","kind":"rant"})", errc::invalid_value, "/kind"},
      {R"({"id":"1","channel":"web","text":"hi","location":{"a":{"b":{"c":{}}}}})", errc::too_deep,
       ""},
      {R"({"id":"1","channel":"web","text":"hi"} x)", errc::malformed_json, ""},
      {R"({"id":"1","channel":"web","text":"hi)", errc::malformed_json, ""},
      {"{\"id\":\"1\",\"channel\":\"web\",\"text\":\"\xff\"}", errc::invalid_utf8, ""},
      {R"("just a string")", errc::wrong_type, ""},
      {"", errc::malformed_json, ""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.json);
    auto f = fails(r.json);
    CHECK(f.error.code == r.code);
    CHECK(f.error.pointer == r.pointer);
    CHECK_FALSE(f.error.message.empty());
  }
}

TEST_CASE("text length is limited in characters") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "가";
  CHECK(parse_inbound(R"({"id":"1","channel":"web","text":")" + text + "\"}", limits));
  auto f = fails(R"({"id":"1","channel":"web","text":")" + text + "가\"}");
  CHECK(f.error.code == errc::too_long);
  CHECK(f.error.message == "must have at most 50 characters (has 51)");
}

TEST_CASE("a message over the size limit is refused before parsing") {
  std::string big = R"({"id":"1","channel":"web","text":")" + std::string(2000, 'x') + "\"}";
  CHECK(fails(big).error.code == errc::too_large);
}

TEST_CASE("a refusal names the sender's id wherever it stands") {
  CHECK(fails(R"({"channel":"web","text":5,"id":"late-id"})").id == "late-id");
  CHECK(fails(R"({"id":"early","channel":"WEB","text":"x"})").id == "early");
  CHECK(fails(R"({"id":"1","channel":"web"} trailing)").id.empty());
  CHECK(read_message_id(R"({"text":"x","id":"abc"})", limits) == "abc");
  CHECK(read_message_id(R"({"text":"x"})", limits).empty());
}

TEST_CASE("the parser agrees with the schema's examples") {
  namespace fs = std::filesystem;
  const fs::path examples = civic::test::schemas_dir() / "examples" / "inbound-message.v1";
  const inbound_limits defaults;
  for (const auto& file : fs::directory_iterator(examples / "valid")) {
    CAPTURE(file.path().filename().string());
    auto parsed = parse_inbound(civic::test::read_file(file.path()), defaults);
    CHECK_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().error.message));
  }
  for (const auto& file : fs::directory_iterator(examples / "invalid")) {
    CAPTURE(file.path().filename().string());
    CHECK_FALSE(parse_inbound(civic::test::read_file(file.path()), defaults).has_value());
  }
}

TEST_CASE("a document that is not JSON is malformed_json whatever its top level") {
  for (std::string_view text :
       {"[1,", "[\"a\" \"b\"]", "{\"id\":\"1\",}", "tru", "[1,2,3]]",
        "{\"id\":\"1\" \"channel\":\"x\"}", "\"unterminated", "[,1]", "{\"a\":01}", "[1e]"}) {
    CAPTURE(text);
    auto parsed = parse_inbound(text, limits);
    REQUIRE_FALSE(parsed);
    CHECK(error_name(parsed.error().error.code) == "malformed_json");
  }
  // Well-formed JSON that is not an object stays a type error.
  for (std::string_view text : {"[1,2,3]", "42", "\"text\"", "null"}) {
    CAPTURE(text);
    auto parsed = parse_inbound(text, limits);
    REQUIRE_FALSE(parsed);
    CHECK(error_name(parsed.error().error.code) == "wrong_type");
  }
}

TEST_CASE("the traceparent member follows W3C Trace Context version 00") {
  auto with = [](std::string trace) {
    return R"({"id":"1","channel":"email","text":"hi","traceparent":")" + trace + "\"}";
  };
  CHECK(parse_inbound(with("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), limits));
  for (std::string bad : {"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
    CAPTURE(bad);
    auto parsed = parse_inbound(with(bad), limits);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().error.pointer == "/traceparent");
  }
}
