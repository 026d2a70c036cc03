#pragma once
// An idempotency key from content, for channels that give messages no id of
// their own: the same fields always give the same key, so a resend by the
// citizen or the channel is recognised downstream as the same message.

#include <initializer_list>
#include <string>
#include <string_view>

namespace civic::gateway::channels {

// 32 hex digits of SHA-256 over the fields, each length-prefixed so that
// ("ab","c") and ("a","bc") differ.
std::string content_key(std::initializer_list<std::string_view> fields);

}  // namespace civic::gateway::channels
