#pragma once
// Unicode clean-up of citizen text with utf8proc.

#include <optional>
#include <string>
#include <string_view>

namespace civic::text {

// NFC (so Hangul typed on systems that decompose it compares equal), line
// breaks unified to LF, other control characters removed, surrounding white
// space trimmed. nullopt when the input is not valid UTF-8.
std::optional<std::string> clean_text(std::string_view utf8);

// False when the text holds nothing a reader would see: only white space,
// invisible format characters (zero-width spaces and joiners, BOMs, bidi marks),
// other Default_Ignorable code points (Hangul fillers, variation selectors) and
// combining marks with no character to mark.
bool has_visible_character(std::string_view utf8);

// "ko" when Hangul makes up a fair share of the letters, "en" for other
// Latin-script text, "und" otherwise. A heuristic for the city's two main
// languages, not a general language identifier.
std::string_view guess_language(std::string_view utf8);

}  // namespace civic::text
