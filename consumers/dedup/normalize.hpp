#pragma once
// Text as dedup compares it: two reports that differ only in width, case,
// links, mentions, emoji or hashtag marks normalise to the same string.

#include <cstdint>
#include <string>
#include <string_view>

namespace civic::dedup {

// NFKC and Unicode case folding (so full-width Latin, compatibility Hangul
// jamo and upper/lower case compare equal), then: URLs and @mentions removed,
// '#' of hashtags removed (the word stays), every character that is not a
// letter, digit or combining mark (punctuation, symbols, emoji) turned into a
// space, runs of spaces collapsed, ends trimmed. Invalid UTF-8 gives "".
std::string normalize_for_dedup(std::string_view utf8);

// The dominant script of normalised text, for deciding whether two texts can
// be compared by their characters at all.
enum class script : uint8_t { none = 0, hangul = 1, latin = 2, other = 4 };
script dominant_script(std::string_view normalized);

}  // namespace civic::dedup
