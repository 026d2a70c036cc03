#include "common/text/normalize.hpp"

#include "common/text/trim.hpp"
#include "common/text/utf8.hpp"

namespace civic::text {

namespace {

// Code points that NFC leaves as they are whatever surrounds them (no
// decomposition, not combining, not composing with a neighbour, not a control
// or newline character), in the scripts citizens write in: Latin, Hangul
// syllables and compatibility jamo, CJK, punctuation, emoji. A text made only
// of these is already clean; utf8proc is needed only for the rest (combining
// marks, conjoining jamo, controls, CR, U+2028, singletons such as U+212B).
bool nfc_inert(utf8proc_int32_t cp) {
  if (cp < 0x300) return (cp >= 0x20 && cp < 0x7F) || cp >= 0xA0;
  return (cp >= 0xAC00 && cp <= 0xD7A3) ||  // Hangul syllables
         (cp >= 0x3131 && cp <= 0x318E) ||  // Hangul compatibility jamo
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK ideographs
         (cp >= 0x3000 && cp <= 0x3029) || (cp >= 0x3030 && cp <= 0x303F) ||  // CJK punctuation
         (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||  // punctuation
         (cp >= 0xFF01 && cp <= 0xFFEF) ||  // full- and half-width forms
         (cp >= 0xFE00 && cp <= 0xFE0F) ||  // variation selectors
         (cp >= 0x1F000 && cp <= 0x1FAFF);  // emoji and pictographs
}

// True when the text is valid UTF-8 made of nfc_inert code points and LF.
bool already_clean(std::string_view utf8) {
  if (!is_valid_utf8(utf8)) return false;  // utf8proc says where and why
  const auto* bytes = reinterpret_cast<const unsigned char*>(utf8.data());
  for (size_t pos = 0, n = 0; pos < utf8.size(); pos += n) {
    if (bytes[pos] < 0x80) {  // ASCII, the common case, without decoding
      if (bytes[pos] != '\n' && (bytes[pos] < 0x20 || bytes[pos] == 0x7F)) return false;
      n = 1;
      continue;
    }
    if (!nfc_inert(decode_valid(utf8, pos, n))) return false;
  }
  return true;
}

// What a cleaned text loses at its ends (CR and controls are gone by then).
constexpr std::string_view text_blanks = " \n\t";

}  // namespace

std::optional<std::string> clean_text(std::string_view utf8) {
  if (already_clean(utf8)) return std::string(trim(utf8, text_blanks));
  auto mapped = map_utf8(utf8, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                              UTF8PROC_NLF2LF | UTF8PROC_STRIPCC));
  if (!mapped) return std::nullopt;
  return std::string(trim(*mapped, text_blanks));
}

bool has_visible_character(std::string_view utf8) {
  bool visible = false;
  // Stops at the first visible character: on the ingest path that is nearly always
  // the first one, not a pass over the whole text.
  for_each_code_point(utf8, [&](utf8proc_int32_t cp, std::string_view) {
    // Default_Ignorable code points draw nothing: the Hangul fillers (U+3164,
    // U+115F, U+1160, U+FFA0), variation selectors, and the format characters.
    if (utf8proc_get_property(cp)->ignorable) return true;
    switch (utf8proc_category(cp)) {
      case UTF8PROC_CATEGORY_ZS:
      case UTF8PROC_CATEGORY_ZL:
      case UTF8PROC_CATEGORY_ZP:
      case UTF8PROC_CATEGORY_CC:
      case UTF8PROC_CATEGORY_CF:
      case UTF8PROC_CATEGORY_MN:  // a combining mark with nothing to combine with
      case UTF8PROC_CATEGORY_ME:
        return true;
      default:
        visible = true;
        return false;
    }
  });
  return visible;
}

std::string_view guess_language(std::string_view utf8) {
  size_t hangul = 0, latin = 0;
  bool valid = for_each_code_point(utf8, [&](utf8proc_int32_t cp, std::string_view) {
    if (is_hangul(cp)) {
      ++hangul;
    } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      ++latin;
    }
  });
  if (!valid) return "und";
  // A Korean message often carries Latin place names or brands; a few Hangul
  // syllables outweigh several Latin letters.
  if (hangul > 0 && hangul * 4 >= latin) return "ko";
  if (latin > 0) return "en";
  return "und";
}

}  // namespace civic::text
