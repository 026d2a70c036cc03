#pragma once
// Every RapidJSON parse of the project: iterative, so that a text nested a
// million levels deep is a parse error instead of a stack overflow (RapidJSON's
// default parser recurses once per level). Include only from .cpp files.

#include <rapidjson/document.h>

#include <string_view>

namespace civic::json {

inline void parse(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
}

// Also refuses invalid UTF-8 (kParseErrorStringInvalidEncoding): for what
// clients send, which must reach a topic or a log as valid text.
inline void parse_checking_utf8(rapidjson::Document& doc, std::string_view text) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                    text.size());
}

}  // namespace civic::json
