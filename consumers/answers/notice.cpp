#include "consumers/answers/notice.hpp"

#include <array>
#include <cctype>

#include "common/responses/case_reference.hpp"

namespace civic::answers {
namespace {

using responses::case_status;

struct labels {
  case_status status;
  std::string_view ko;
  std::string_view en;
};

constexpr std::array<labels, 11> status_labels{{
    {case_status::received, "접수", "Received"},
    {case_status::assigned, "담당 부서 배정", "Assigned to a division"},
    {case_status::investigating, "확인 중", "Being looked into"},
    {case_status::in_progress, "처리 중", "In progress"},
    {case_status::action_scheduled, "조치 예정", "Work scheduled"},
    {case_status::fixed, "처리 완료", "Fixed"},
    {case_status::answered, "답변 완료", "Answered"},
    {case_status::duplicate, "중복 민원", "Reported already (duplicate)"},
    {case_status::not_responsible, "소관 외", "Not the city's responsibility"},
    {case_status::closed, "종결", "Closed"},
    {case_status::reopened, "재접수", "Reopened"},
}};

std::string milestone_text(std::string_view milestone, bool korean) {
  if (milestone == "department_answers") {
    return korean ? "담당 부서가 답변합니다." : "The department will answer it.";
  }
  if (milestone == "public_forum") {
    return korean ? "공개 토론이 열립니다." : "A public forum opens on it.";
  }
  if (milestone == "mayor_answers") {
    return korean ? "시장이 직접 답변합니다." : "The mayor will answer it.";
  }
  return "";
}

}  // namespace

std::string case_reference(std::string_view case_id) { return responses::case_reference(case_id); }

std::string notice_language(std::string_view language) { return language == "en" ? "en" : "ko"; }

namespace {

notice started_notice(std::string kind, std::string_view case_id,
                      std::string_view recipient_language) {
  notice n;
  n.kind = std::move(kind);
  n.language = notice_language(recipient_language);
  n.case_ref = case_reference(case_id);
  return n;
}

}  // namespace

std::string status_label(case_status s, std::string_view language) {
  for (const auto& l : status_labels) {
    if (l.status == s) return std::string(language == "en" ? l.en : l.ko);
  }
  return "";
}

notice update_notice(const responses::response& update, std::string_view recipient_language) {
  notice n = started_notice("update", update.case_id, recipient_language);
  bool korean = n.language == "ko";
  if (update.status) {
    n.status = std::string(responses::to_string(*update.status));
    n.status_label = status_label(*update.status, n.language);
  }
  if (update.answer) n.answer = update.answer->text;
  n.text = korean ? "[서울시] 접수번호 " + n.case_ref : "[Seoul] Report " + n.case_ref;
  if (!n.status_label.empty()) {
    n.text += korean ? "\n상태: " : "\nStatus: ";
    n.text += n.status_label;
  }
  if (!n.answer.empty()) n.text += "\n\n" + n.answer;
  return n;
}

notice threshold_notice(const responses::response& threshold, std::string_view recipient_language) {
  notice n = started_notice("threshold", threshold.case_id, recipient_language);
  bool korean = n.language == "ko";
  n.status_label = korean ? "공감 " + std::to_string(threshold.support_count) + "명"
                          : std::to_string(threshold.support_count) + " supporters";
  n.answer = milestone_text(threshold.milestone, korean);
  n.text = korean ? "[서울시] 제안하신 의견(접수번호 " + n.case_ref + ")에 공감한 시민이 " +
                        std::to_string(threshold.support_count) + "명이 되었습니다."
                  : "[Seoul] " + std::to_string(threshold.support_count) +
                        " citizens now support your proposal (report " + n.case_ref + ").";
  if (!n.answer.empty()) n.text += " " + n.answer;
  return n;
}

bool citizens_hear_about(const responses::response& r) {
  if (r.type == responses::response_type::threshold) return true;
  return r.type == responses::response_type::update && r.notify && (r.status || r.answer);
}

}  // namespace civic::answers
