#include "common/json/number_range.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "common/json/reader.hpp"

namespace civic::json {
namespace {

// A SAX handler that keeps the pointer of the value being read; numbers come as
// their text (kParseNumbersAsStringsFlag) and are judged as simdjson would.
class number_finder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, number_finder> {
 public:
  std::optional<std::string> found;

  bool Default() { return value(); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    if (!representable(std::string_view(text, length))) {
      found = pointer();
      return false;  // stop: the first one is enough
    }
    return value();
  }
  bool String(const char*, rapidjson::SizeType, bool) { return value(); }
  bool StartObject() {
    frames_.push_back({true, 0, {}});
    return true;
  }
  bool Key(const char* name, rapidjson::SizeType length, bool) {
    frames_.back().key = pointer_token(std::string_view(name, length));
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return end(); }
  bool StartArray() {
    frames_.push_back({false, 0, {}});
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return end(); }

  // Where the value being read sits.
  std::string pointer() const {
    std::string p;
    for (const auto& f : frames_) p += "/" + (f.object ? f.key : std::to_string(f.index));
    return p;
  }

 private:
  struct frame {
    bool object;
    size_t index;
    std::string key;
  };
  std::vector<frame> frames_;

  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool end() {
    frames_.pop_back();
    return value();
  }

  static bool representable(std::string_view number) {
    const bool integer = number.find_first_of(".eE") == std::string_view::npos;
    std::string text(number);
    errno = 0;
    char* end = nullptr;
    if (integer) {
      if (text.front() == '-') {
        (void)std::strtoll(text.c_str(), &end, 10);
      } else {
        (void)std::strtoull(text.c_str(), &end, 10);
      }
      return errno != ERANGE;
    }
    const double v = std::strtod(text.c_str(), &end);
    return !(errno == ERANGE && std::isinf(v));  // underflow to zero is a number
  }
};

}  // namespace

std::optional<std::string> unrepresentable_number_pointer(std::string_view json) {
  number_finder finder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.data(), json.size());
  auto result =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag |
                   rapidjson::kParseStopWhenDoneFlag>(stream, finder);
  // RapidJSON itself stops at an exponent beyond a double's (1e400), before
  // handing the number over: the value being read is that number.
  if (!finder.found && result.Code() == rapidjson::kParseErrorNumberTooBig) return finder.pointer();
  return finder.found;
}

}  // namespace civic::json
