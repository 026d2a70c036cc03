#include <doctest/doctest.h>

#include "common/text/utf8.hpp"

using civic::text::combining_marks;
using civic::text::is_word_character;

TEST_CASE("letters and numbers of any script are word characters") {
  for (auto marks : {combining_marks::excluded, combining_marks::included}) {
    CHECK(is_word_character('a', marks));
    CHECK(is_word_character('Z', marks));
    CHECK(is_word_character('7', marks));
    CHECK(is_word_character(0x00E9, marks));  // é
    CHECK(is_word_character(0xAC00, marks));  // 가
    CHECK(is_word_character(0x0661, marks));  // Arabic-Indic one
    CHECK(is_word_character(0x00BD, marks));  // ½ (No)
    CHECK_FALSE(is_word_character(' ', marks));
    CHECK_FALSE(is_word_character('-', marks));
    CHECK_FALSE(is_word_character('*', marks));
    CHECK_FALSE(is_word_character(0x1F600, marks));  // emoji (So)
  }
}

TEST_CASE("combining marks are word characters only when included") {
  CHECK_FALSE(is_word_character(0x0301, combining_marks::excluded));  // combining acute (Mn)
  CHECK(is_word_character(0x0301, combining_marks::included));
  CHECK_FALSE(is_word_character(0x0903, combining_marks::excluded));  // Devanagari visarga (Mc)
  CHECK(is_word_character(0x0903, combining_marks::included));
}
