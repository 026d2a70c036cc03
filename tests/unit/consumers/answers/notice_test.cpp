#include "consumers/answers/notice.hpp"

#include <doctest/doctest.h>

using namespace civic;
using namespace civic::answers;

TEST_CASE("a notice says the case, the status and the answer in the citizen's language") {
  responses::response r;
  r.type = responses::response_type::update;
  r.id = "upd-1";
  r.case_id = "case-0193f2a4-6b1c-7d3e-9f00-1a2b3c4d5e6f";
  r.status = responses::case_status::fixed;
  r.answer = responses::answer_text{"세종대로 포트홀을 보수했습니다.", "ko"};
  auto ko = update_notice(r, "ko");
  CHECK(ko.case_ref == "3C4D5E6F");
  CHECK(ko.text ==
        "[서울시] 접수번호 3C4D5E6F\n상태: 처리 완료\n\n세종대로 포트홀을 보수했습니다.");
  auto en = update_notice(r, "en");
  CHECK(en.text == "[Seoul] Report 3C4D5E6F\nStatus: Fixed\n\n세종대로 포트홀을 보수했습니다.");
  CHECK(update_notice(r, "und").language == "ko");
  r.status.reset();
  CHECK(update_notice(r, "ko").text.find("상태") == std::string::npos);

  CHECK(citizens_hear_about(r));
  r.notify = false;
  CHECK_FALSE(citizens_hear_about(r));
  r.notify = true;
  r.answer.reset();
  r.assign_to = {"water"};
  CHECK_FALSE(citizens_hear_about(r));  // a reassignment alone is the city's business

  responses::response t;
  t.type = responses::response_type::threshold;
  t.case_id = r.case_id;
  t.support_count = 100;
  t.milestone = "public_forum";
  CHECK(threshold_notice(t, "en").text ==
        "[Seoul] 100 citizens now support your proposal (report 3C4D5E6F). A public forum opens "
        "on it.");
}
