#include "consumers/dedup/deduplicator.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "consumers/dedup/case_json.hpp"

using namespace civic::dedup;

namespace {

constexpr int64_t hour_ms = 3600LL * 1000;
constexpr int64_t t0 = 1'741'600'000'000;  // 2025-03-10

report make(std::string id, int64_t time, std::string text, std::vector<std::string> divisions,
            std::optional<geo_point> point = std::nullopt,
            std::optional<std::string> district = std::nullopt,
            std::optional<std::string> author = std::nullopt) {
  report r;
  r.idempotency_key = "web:" + id;
  r.id = std::move(id);
  r.time_ms = time;
  r.text = std::move(text);
  r.divisions = std::move(divisions);
  r.point = point;
  r.district = std::move(district);
  r.author = std::move(author);
  return r;
}

const geo_point hongdae{37.5576, 126.9240};
const geo_point hongdae_20m{37.5577, 126.9242};
const geo_point one_km_north{37.5666, 126.9240};

}  // namespace

TEST_CASE("a retry with the same idempotency key is an exact duplicate, counted on its case") {
  deduplicator d({});
  auto first = d.add(make("r1", t0, "홍대입구역 9번 출구 앞 포트홀", {"roads"}, hongdae));
  CHECK(first.kind == match_kind::new_case);
  auto retry = make("r1-again", t0 + 30'000, "홍대입구역 9번 출구 앞 포트홀", {"roads"}, hongdae);
  retry.idempotency_key = "web:r1";
  auto second = d.add(retry);
  CHECK(second.kind == match_kind::exact_duplicate);
  CHECK(second.case_id == first.case_id);
  CHECK(second.duplicate_of == "r1");
  const case_state* c = d.find(first.case_id);
  REQUIRE(c != nullptr);
  CHECK(c->report_count == 1);
  CHECK(c->duplicates_dropped == 1);
  CHECK(c->members == std::vector<std::string>{"r1"});
}

TEST_CASE("the same author posting the same text on another channel within the window is dropped") {
  deduplicator d({});
  auto first = d.add(make("x1", t0, "명동입구 광역버스 정류장 오늘도 지옥 #퇴근길", {"transport"},
                          std::nullopt, std::nullopt, "author-a"));
  auto cross = make("f1", t0 + 5 * 60'000, "명동입구 광역버스 정류장 오늘도 지옥 퇴근길 🚌",
                    {"transport"}, std::nullopt, std::nullopt, "author-a");
  cross.idempotency_key = "facebook:f1";
  auto second = d.add(cross);
  CHECK(second.kind == match_kind::exact_duplicate);
  CHECK(second.duplicate_of == "x1");

  SUBCASE("but not after the window: then it is a new report of the same issue") {
    auto late = cross;
    late.id = "f2";
    late.idempotency_key = "facebook:f2";
    late.time_ms = t0 + 80 * hour_ms;
    CHECK(d.add(late).kind != match_kind::exact_duplicate);
  }
  SUBCASE("nor from another author") {
    auto other = cross;
    other.id = "f3";
    other.idempotency_key = "facebook:f3";
    other.author = "author-b";
    CHECK(d.add(other).kind == match_kind::near_duplicate);
  }
}

TEST_CASE("different citizens reporting the same spot in the same division join one case") {
  deduplicator d({});
  auto a =
      d.add(make("a", t0, "홍대입구역 9번 출구 앞 도로에 포트홀", {"roads"}, hongdae, "Mapo-gu"));
  auto b = d.add(make("b", t0 + 13 * hour_ms, "Massive pothole near Hongik Univ. station exit 9",
                      {"roads"}, hongdae_20m, "Mapo-gu"));
  CHECK(b.kind == match_kind::near_duplicate);
  CHECK(b.case_id == a.case_id);
  CHECK(b.duplicate_of == "a");
  const case_state* c = d.find(a.case_id);
  REQUIRE(c != nullptr);
  CHECK(c->report_count == 2);
  CHECK(c->members == std::vector<std::string>{"a", "b"});
  CHECK(c->last_seen_ms == t0 + 13 * hour_ms);
}

TEST_CASE("the same problem 1 km away, another division, or after the window is another case") {
  deduplicator d({});
  auto a = d.add(make("a", t0, "홍대입구역 9번 출구 앞 도로에 포트홀", {"roads"}, hongdae));
  CHECK(d.add(make("far", t0 + hour_ms, "도로에 포트홀", {"roads"}, one_km_north)).case_id !=
        a.case_id);
  CHECK(d.add(make("noise", t0 + hour_ms, "버스킹 앰프 소음", {"environment"}, hongdae)).case_id !=
        a.case_id);
  CHECK(d.add(make("late", t0 + 100 * hour_ms, "도로에 포트홀", {"roads"}, hongdae)).case_id !=
        a.case_id);
}

TEST_CASE(
    "without coordinates: same district and similar text, or different scripts in one district") {
  deduplicator d({});
  auto a = d.add(make("a", t0, "문래동3가 아파트 수돗물에서 갈색 녹물이 나와요", {"water"},
                      std::nullopt, "Yeongdeungpo-gu"));
  auto same_language =
      d.add(make("b", t0 + 4 * hour_ms, "문래동3가 저희 아파트 오늘 아침부터 수돗물 녹물",
                 {"water"}, std::nullopt, "Yeongdeungpo-gu"));
  CHECK(same_language.case_id == a.case_id);
  auto english =
      d.add(make("c", t0 + 20 * hour_ms, "Rusty brown tap water in our Mullae-dong apartment",
                 {"water"}, std::nullopt, "Yeongdeungpo-gu"));
  CHECK(english.case_id == a.case_id);
  auto dissimilar = d.add(make("d", t0 + 21 * hour_ms, "당산역 근처 하수구 역류", {"water"},
                               std::nullopt, "Yeongdeungpo-gu"));
  CHECK(dissimilar.case_id != a.case_id);

  SUBCASE("cross-script matching can be switched off") {
    dedup_settings strict;
    strict.cross_script_district_match = false;
    deduplicator s(strict);
    auto k = s.add(make("a", t0, "문래동3가 아파트 수돗물에서 갈색 녹물이 나와요", {"water"},
                        std::nullopt, "Yeongdeungpo-gu"));
    CHECK(s.add(make("c", t0 + hour_ms, "Rusty brown tap water in Mullae-dong", {"water"},
                     std::nullopt, "Yeongdeungpo-gu"))
              .case_id != k.case_id);
  }
}

TEST_CASE("with no place at all, only clearly similar text of the same division joins") {
  deduplicator d({});
  auto a =
      d.add(make("a", t0, "주말만이라도 지하철 새벽 2시까지 연장 운행해 주세요", {"transport"}));
  CHECK(d.add(make("b", t0 + 30 * hour_ms,
                   "금토만이라도 지하철 2시까지 운행해주면 안돼? 주말만이라도", {"transport"}))
            .case_id == a.case_id);
  CHECK(
      d.add(make("c", t0 + 31 * hour_ms, "버스 정류장 의자가 부서졌어요", {"transport"})).case_id !=
      a.case_id);
}

namespace {

// A unit vector along axis `axis`, turned towards axis `axis + 1` by `turn`:
// two of them have cosine cos(turn difference).
std::vector<float> direction(size_t axis, double turn) {
  std::vector<float> v(512, 0.0f);
  v[axis] = static_cast<float>(std::cos(turn));
  v[axis + 1] = static_cast<float>(std::sin(turn));
  return v;
}

}  // namespace

TEST_CASE("shared words (the place's name) do not join reports whose meanings are far apart") {
  // Same district, one side without coordinates: Boramae Park's frozen pond and
  // its broken exercise machine share the park's name, not the issue.
  deduplicator d({});
  auto pond = make("pond", t0, "보라매공원 연못 얼음 위에 애들이 들어가서 놀아요", {"parks"},
                   std::nullopt, "Dongjak-gu");
  pond.embedding = direction(0, 0);
  auto a = d.add(pond);
  auto machine = make("machine", t0 + hour_ms, "보라매공원 운동기구 부러져서 덜렁거려요", {"parks"},
                      std::nullopt, "Dongjak-gu");
  machine.embedding = direction(0, 1.45);  // cosine 0.12: below located_semantic_floor (0.2)
  CHECK(d.add(machine).case_id != a.case_id);
  // The same words with a meaning close enough join as before.
  auto again = make("again", t0 + 2 * hour_ms, "보라매공원 연못 얼음 위에서 애들이 놀아요",
                    {"parks"}, std::nullopt, "Dongjak-gu");
  again.embedding = direction(0, 0.3);
  CHECK(d.add(again).case_id == a.case_id);
}

TEST_CASE("with no place at all, a Korean and an English report of one issue meet by meaning") {
  // Nothing but the embeddings can match them, and their hyperplane bands are
  // switched off here: the place-less cases' own bucket must find the case.
  dedup_settings s;
  s.semantic_bands = 0;
  deduplicator d(s);
  auto ko = make("ko", t0, "장애인 콜택시 예약하면 기본 두 시간 대기예요", {"welfare"});
  ko.embedding = direction(0, 0);
  auto a = d.add(ko);
  auto en = make("en", t0 + 4 * hour_ms,
                 "Waiting two hours every time for the disability call taxi", {"welfare"});
  en.embedding = direction(0, 0.9);  // cosine 0.62
  CHECK(d.add(en).case_id == a.case_id);
  auto other =
      make("other", t0 + 5 * hour_ms, "Wheelchair ramps missing at the new library", {"welfare"});
  other.embedding = direction(0, 1.4);  // cosine 0.17 to the case
  CHECK(d.add(other).case_id != a.case_id);
}

TEST_CASE("cases close after the window and the oldest close first beyond the bound") {
  dedup_settings s;
  s.max_open_cases = 3;
  deduplicator d(s);
  for (int i = 0; i < 5; ++i) {
    d.add(make("r" + std::to_string(i), t0 + i * hour_ms,
               "서로 다른 민원 번호 " + std::to_string(i * 7919), {"triage"},
               geo_point{37.5 + i * 0.05, 127.0}));
  }
  auto closed = d.close_expired(d.clock_ms());
  CHECK(d.open_cases() == 3);
  REQUIRE(closed.size() == 2);
  CHECK(closed[0].id == "case-r0");
  CHECK(closed[0].closed);
  CHECK(d.find("case-r0") == nullptr);

  auto expired = d.close_expired(t0 + 4 * hour_ms + 73 * hour_ms);
  CHECK(expired.size() == 3);
  CHECK(d.open_cases() == 0);
}

TEST_CASE("a case restored from its changelog state decides like the original") {
  deduplicator original({});
  auto a = original.add(make("a", t0, "사당역 4번 출구 앞 도로 침수", {"water", "roads"},
                             geo_point{37.4771, 126.9813}, "Dongjak-gu", "author-x"));
  const case_state* c = original.find(a.case_id);
  REQUIRE(c != nullptr);
  auto state = state_from_json(state_to_json(*c));
  REQUIRE(state.has_value());
  CHECK(*state == *c);

  deduplicator restored({});
  restored.restore(*state);
  CHECK(restored.clock_ms() == t0);
  auto retry = make("a2", t0 + 1000, "사당역 4번 출구 앞 도로 침수", {"water"},
                    geo_point{37.4771, 126.9813});
  retry.idempotency_key = "web:a";
  CHECK(restored.add(retry).kind == match_kind::exact_duplicate);
  auto near =
      restored.add(make("b", t0 + hour_ms, "Road in front of Sadang station exit 4 is under water",
                        {"water"}, geo_point{37.4770, 126.9814}, "Dongjak-gu"));
  CHECK(near.kind == match_kind::near_duplicate);
  CHECK(near.case_id == a.case_id);
}

TEST_CASE("a case stays in its district, even for a report a few metres across the border") {
  deduplicator d({});
  auto a = d.add(make("a", t0, "청계광장 계단 인파 위험", {"safety"}, hongdae, "Jongno-gu"));
  CHECK(
      d.add(make("b", t0 + hour_ms, "청계광장 계단 인파 위험", {"safety"}, hongdae_20m, "Jung-gu"))
          .case_id != a.case_id);
  CHECK(
      d.add(make("c", t0 + hour_ms, "청계광장 계단 인파 위험", {"safety"}, hongdae_20m)).case_id !=
      a.case_id);
}

TEST_CASE("a report the classifier could not place (triage) may join any division's case") {
  deduplicator d({});
  auto a = d.add(
      make("a", t0, "성수역 공사장 야간 소음", {"environment"}, std::nullopt, "Seongdong-gu"));
  auto b = d.add(make("b", t0 + hour_ms, "성수역 근처 공사장 오늘도 밤 12시 쾅쾅", {"triage"},
                      std::nullopt, "Seongdong-gu"));
  CHECK(b.case_id == a.case_id);
  const case_state* c = d.find(a.case_id);
  REQUIRE(c != nullptr);
  CHECK(c->divisions == std::vector<std::string>{"environment"});

  SUBCASE("but on similar text only, never on place alone") {
    auto english = d.add(make("e", t0 + 2 * hour_ms, "Where can I book the camping site?",
                              {"triage"}, std::nullopt, "Seongdong-gu"));
    CHECK(english.case_id != a.case_id);
  }
  SUBCASE("and a triage case takes the division of the first report that has one") {
    auto t = d.add(make("t", t0, "불광역 러브버그 떼", {"triage"}, std::nullopt, "Eunpyeong-gu"));
    d.add(make("u", t0 + hour_ms, "불광역 러브버그 떼 방역 요청", {"health"}, std::nullopt,
               "Eunpyeong-gu"));
    CHECK(d.find(t.case_id)->divisions == std::vector<std::string>{"health"});
  }
}

TEST_CASE("when only place and division speak, a report joins the case more citizens reported") {
  deduplicator d({});
  auto busy =
      d.add(make("a", t0, "문래동 아파트 수돗물 녹물", {"water"}, std::nullopt, "Yeongdeungpo-gu"));
  d.add(make("b", t0 + hour_ms, "문래동 아파트 녹물 수돗물 나와요", {"water"}, std::nullopt,
             "Yeongdeungpo-gu"));
  auto quiet = d.add(make("c", t0 + 2 * hour_ms, "당산역 앞 하수구 악취", {"water"}, std::nullopt,
                          "Yeongdeungpo-gu"));
  REQUIRE(quiet.case_id != busy.case_id);
  auto english = d.add(make("e", t0 + 3 * hour_ms, "Brown water from the tap in our apartment",
                            {"water"}, std::nullopt, "Yeongdeungpo-gu"));
  CHECK(english.case_id == busy.case_id);
}

TEST_CASE("a case keeps its first text as title, its latest text, kind, urgency and channels") {
  deduplicator d({});
  auto first = make("a", t0, "홍대입구역 9번 출구 앞 도로에 포트홀", {"roads"}, hongdae, "Mapo-gu");
  first.channel = "kakao";
  first.kind = "complaint";
  auto a = d.add(first);
  auto second = make("b", t0 + hour_ms, "Massive pothole near Hongik Univ. station exit 9",
                     {"roads"}, hongdae_20m, "Mapo-gu");
  second.channel = "x";
  second.urgency = "high";
  d.add(second);
  auto retry = second;
  d.add(retry);  // an exact duplicate changes nothing shown
  const case_state* c = d.find(a.case_id);
  REQUIRE(c != nullptr);
  CHECK(c->title == "홍대입구역 9번 출구 앞 도로에 포트홀");
  CHECK(c->latest() == "Massive pothole near Hongik Univ. station exit 9");
  CHECK(c->kind == "complaint");
  CHECK(c->urgency == "high");
  CHECK(c->channels == std::vector<std::string>{"kakao", "x"});
}
