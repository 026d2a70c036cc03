#include "consumers/dedup/normalize.hpp"

#include <doctest/doctest.h>

using namespace civic::dedup;

TEST_CASE("normalisation folds width and case (NFKC + case folding)") {
  CHECK(normalize_for_dedup("ＰＯＴＨＯＬＥ on Yanghwa-ro") == "pothole on yanghwa ro");
  CHECK(normalize_for_dedup("Straße") == "strasse");
  // Compatibility jamo and decomposed Hangul compose to the same syllables.
  CHECK(normalize_for_dedup("\u1100\u1161\u11BC\u1102\u1161\u11B7") == "강남");
}

TEST_CASE("normalisation strips links, mentions, emoji and hashtag marks but keeps words") {
  CHECK(normalize_for_dedup("@seoulcity 포트홀 신고 https://t.co/abc123 #포트홀 #홍대 🚧🚧") ==
        "포트홀 신고 포트홀 홍대");
  CHECK(normalize_for_dedup("see www.example.com/x now!!!") == "see now");
  CHECK(normalize_for_dedup("e-mail a@b.kr stays a word") == "e mail a b kr stays a word");
  CHECK(normalize_for_dedup("  여러   줄\n\t공백  ") == "여러 줄 공백");
}

TEST_CASE("two reposts that differ only in decoration normalise equal") {
  CHECK(normalize_for_dedup("망원시장 뒤 골목 쓰레기 실화냐… 🤢 #망원시장") ==
        normalize_for_dedup("망원시장 뒤 골목 쓰레기 실화냐 망원시장 @mapo_gu"));
}

TEST_CASE("invalid UTF-8 normalises to nothing") {
  CHECK(normalize_for_dedup(std::string("abc\xff\xfe", 5)).empty());
}

TEST_CASE("dominant script tells Korean from English text") {
  CHECK(dominant_script(normalize_for_dedup("홍대입구역 9번 출구 앞 pothole 진짜 커요")) ==
        script::hangul);
  CHECK(dominant_script(normalize_for_dedup("Big pothole near Hongik Univ. station exit 9")) ==
        script::latin);
  CHECK(dominant_script(normalize_for_dedup("🚧 123")) == script::none);
}
