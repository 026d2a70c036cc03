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
// W3C trace context: version-traceid-parentid-flags in lower-case hex.
bool is_traceparent(std::string_view s);

}  // namespace civic::envelope
