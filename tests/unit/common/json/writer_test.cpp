#include "common/json/writer.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <limits>
#include <string>

namespace {

// What RapidJSON's own writer makes of a string: the reference for the fast path.
std::string rapidjson_string(const std::string& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

std::string ours(const std::string& s) {
  civic::json::writer w;
  w.string(s);
  return w.str();
}

}  // namespace

TEST_CASE("a string is written as RapidJSON writes it, whatever needs escaping and wherever") {
  const std::string korean = "세종대로 포트홀이 깊어요. 차가 지나갈 때마다 덜컹거립니다";
  CHECK(ours(korean) == "\"" + korean + "\"");
  for (char special : {'"', '\\', '\n', '\0', '\x1f', '\t'}) {
    for (size_t at :
         {size_t{0}, size_t{7}, size_t{15}, size_t{16}, size_t{31}, korean.size() - 1}) {
      std::string s = korean;
      s[at] = special;
      CHECK_MESSAGE(ours(s) == rapidjson_string(s), "byte ", int(special), " at ", at);
    }
  }
  for (size_t n = 0; n < 40; ++n) {
    std::string s(n, 'a');
    CHECK(ours(s) == rapidjson_string(s));
  }
}

TEST_CASE("the fast path keeps the document well formed: commas, keys and nesting") {
  civic::json::writer w;
  w.StartObject();
  w.member("text", std::string(40, 'x'));
  w.member("quoted", std::string(20, 'y') + "\"");
  w.key("list").StartArray();
  w.string(std::string(17, 'z'));
  w.string("short");
  w.EndArray();
  w.EndObject();
  rapidjson::Document d;
  d.Parse(w.str().c_str());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(d["text"].GetStringLength() == 40);
  CHECK(std::string(d["quoted"].GetString()).back() == '"');
  CHECK(d["list"].Size() == 2);
}

TEST_CASE("a number that JSON cannot hold (NaN, infinity) is written null, never a bare key") {
  civic::json::writer w;
  w.StartObject();
  w.member("lat", std::numeric_limits<double>::quiet_NaN());
  w.member("lon", std::numeric_limits<double>::infinity());
  w.member("alt", 1.5);
  w.EndObject();
  CHECK(w.str() == R"({"lat":null,"lon":null,"alt":1.5})");
}
