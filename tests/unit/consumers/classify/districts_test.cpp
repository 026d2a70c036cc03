// The shipped rules' gu names and landmarks (deploy/config/rules/seoul.yaml,
// districts.places): a sample of places each names its gu from the text alone,
// short names do not fire inside other words (Korean terms match inside words),
// and no term is listed under two gu.

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>

#include "consumers/classify/classifier.hpp"
#include "consumers/classify/text_fold.hpp"
#include "rules_fixture.hpp"

using civic::classify::classifier;

namespace {

std::shared_ptr<const classifier> shipped() {
  auto loaded = classifier::load(civic::test::rules_fixture::shipped_rules());
  REQUIRE_MESSAGE(loaded.has_value(), (loaded.has_value() ? "" : loaded.error()));
  return *loaded;
}

}  // namespace

TEST_CASE("the shipped landmarks name the gu of stations, dongs, markets and places") {
  const auto c = shipped();
  struct example {
    const char* text;
    const char* district;
  };
  const example examples[] = {
      {"홍제역 2번 출구 앞 보도블록이 깨졌어요", "Seodaemun-gu"},
      {"무악재역 근처 가로등이 꺼져 있어요", "Seodaemun-gu"},
      {"북아현동 골목에 쓰레기가 쌓였어요", "Seodaemun-gu"},  // not Mapo-gu's 아현
      {"천호사거리 신호등이 고장났어요", "Gangdong-gu"},
      {"천호 사거리 횡단보도 신호가 너무 짧아요", "Gangdong-gu"},
      {"은행사거리 학원가 앞 불법 주차가 심해요", "Nowon-gu"},
      {"뚝섬역 8번 출구 앞 자전거가 방치돼 있어요", "Seongdong-gu"},
      {"뚝섬한강공원 화장실이 더러워요", "Gwangjin-gu"},
      {"시청 앞 광장 행사 소음이 심해요", "Jung-gu"},
      {"수유시장 앞 노점 때문에 인도가 막혀요", "Gangbuk-gu"},
      {"종로 낙원상가 옆 골목 악취", "Jongno-gu"},
      {"까치산역 2번 출구 계단이 미끄러워요", "Gangseo-gu"},
      {"가산 디지털단지 근처 배수구가 막혔어요", "Geumcheon-gu"},
      {"구로디지털단지역 앞 흡연 문제", "Guro-gu"},
      {"샤로수길 음식물 쓰레기 무단투기", "Gwanak-gu"},
      {"서울대 입구역 앞 공사 소음", "Gwanak-gu"},
      {"녹번동 주민센터 앞 보도", "Eunpyeong-gu"},  // 번동 is no longer a Gangbuk-gu term
      {"염창동 빌라 앞 누수", "Gangseo-gu"},        // 창동 is no longer a Dobong-gu term
      {"평창동 언덕길 제설이 안 됐어요", "Jongno-gu"},
      {"문정동 법조단지 앞 불법 주정차", "Songpa-gu"},  // 정동 is no longer a Jung-gu term
      {"신정동 아파트 단지 앞 포트홀", "Yangcheon-gu"},
      {"삼성동 코엑스 앞 인도 파손", "Gangnam-gu"},  // 성동 is no longer a Seongdong-gu name
      {"선정릉역 근처 가로수 가지치기", "Gangnam-gu"},
      {"면목동 골목 주차 문제", "Jungnang-gu"},
      {"창동역 환승 통로가 너무 어두워요", "Dobong-gu"},
      {"동작역 근처 자전거도로 파손", "Dongjak-gu"},
      {"The sidewalk outside omokgyo station is cracked", "Yangcheon-gu"},
      {"Trash piling up near Seonyudo park", "Yeongdeungpo-gu"},
      {"Long queues at Asan Medical Center parking", "Songpa-gu"},
  };
  for (const auto& e : examples) {
    CAPTURE(e.text);
    CHECK(c->classify({.text = e.text}).district == std::optional<std::string>(e.district));
  }
}

TEST_CASE("short place names do not fire inside other words, ambiguous ones name no gu") {
  const auto c = shipped();
  const char* no_district[] = {
      "여름 성수기에 쓰레기가 넘쳐요",             // 성수 (Seongsu)
      "공공건물에 수유실이 없어요",                // 수유 (Suyu)
      "가로등 센서가 동작하지 않아요",             // 동작 (Dongjak)
      "지하철 입구로 들어가는 계단이 미끄러워요",  // 구로 (Guro)
      "윗집 관악기 연습 소음이 심해요",            // 관악 (Gwanak)
      "방학동안 아이 돌봄이 걱정이에요",           // 방학동 (Banghak-dong)
      "하수구에서 악취가 발산돼요",                // 발산 (Balsan)
      "한옥마을 축제 일정이 궁금해요",             // any hanok village
      "능동적으로 대응해 주세요",                  // 능동 (Neung-dong)
      "가산세가 잘못 붙었어요",                    // 가산 (Gasan)
      "신정 연휴에 쓰레기 수거가 되나요",          // 신정 (Sinjeong)
      "시청률 조사 전화가 너무 자주 와요",         // 시청 (City Hall)
      "시청에 민원을 넣었는데 답이 없어요",        // the city government, not a place
      "광교 호수공원 산책로",                      // Suwon, not Seoul
      "탄천 산책로 자전거 과속",                   // Gangnam-gu and Songpa-gu
      "뚝섬 쪽 한강 산책로",                       // Seongdong-gu or Gwangjin-gu
      "천호대로 버스전용차로",                     // runs through four gu
  };
  for (const char* text : no_district) {
    CAPTURE(text);
    CHECK(c->classify({.text = text}).district == std::nullopt);
  }
}

TEST_CASE("no name or landmark is listed under two gu") {
  const auto root = YAML::LoadFile(civic::test::rules_fixture::shipped_rules().string());
  std::map<std::string, std::string> gu_of;  // folded term, without spaces and '-' -> gu
  std::size_t landmarks = 0;
  for (const auto& place : root["districts"]["places"]) {
    const auto gu = place.first.as<std::string>();
    for (const char* key : {"names", "landmarks"})
      for (const auto& term : place.second[key]) {
        auto folded = civic::classify::fold_for_matching(term.as<std::string>());
        REQUIRE(folded.has_value());
        std::string key_text;
        for (char ch : *folded)
          if (ch != ' ' && ch != '-') key_text.push_back(ch);
        const auto [it, inserted] = gu_of.emplace(key_text, gu);
        CAPTURE(term.as<std::string>());
        CHECK_MESSAGE((inserted || it->second == gu), "also under " << it->second);
        landmarks += std::string(key) == "landmarks";
      }
  }
  MESSAGE("districts.places: " << gu_of.size() << " terms, " << landmarks << " landmarks");
  CHECK(landmarks >= 900);
}
