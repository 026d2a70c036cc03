#pragma once
// Value checks shared by the envelope parser and the gateway's inbound parser.

#include <string_view>

namespace civic::envelope {

// ^[a-z][a-z0-9_]{0,31}$
bool is_channel_name(std::string_view s);
// Starts with http:// or https://
bool is_http_url(std::string_view s);
// Lower-case canonical UUID, version 7, RFC 9562 variant.
bool is_uuid_v7(std::string_view s);
// ^[a-z]{2,3}$: an ISO 639 code or "und".
bool is_language_code(std::string_view s);
// W3C Trace Context traceparent, version 00: 00-<32 hex>-<16 hex>-<2 hex>, lower
// case, trace id and parent id not all zeros.
bool is_traceparent(std::string_view s);
// ^[a-z0-9][a-z0-9._-]{0,63}$: a bridge's credential name (part of keys and sources).
bool is_bridge_name(std::string_view s);
// "/gateway/channels/<channel name>" or "/gateway/bridges/<bridge name>".
bool is_event_source(std::string_view s);
// Any C0 control character (U+0000-U+001F), DEL or C1 control (U+0080-U+009F) in
// UTF-8 text: refused in identifiers, where a NUL or a line break would cut or
// split a Kafka key or a log line.
bool has_control_character(std::string_view utf8);
// A character that changes how the text around it is shown without being seen:
// bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C),
// line and paragraph separators (U+2028, U+2029), zero-width characters
// (U+200B-U+200D, U+2060, U+FEFF). Refused in the identifiers a sender gives, where
// "a\u202eb" would show as another id on a page and U+2028 breaks a line.
bool has_invisible_formatting(std::string_view utf8);
// Not empty and without control characters.
inline bool is_identifier(std::string_view utf8) {
  return !utf8.empty() && !has_control_character(utf8);
}

}  // namespace civic::envelope
