// Korean and English labels of the public page.
import { languages } from "./language.js";

export const labels = {
  ko: {
    title: "민원 처리 현황 공개", map_title: "자치구별 처리 중인 민원과 기한 내 답변율",
    division_title: "부서별 첫 답변까지 걸린 시간 (중앙값)", recent_title: "최근 답변한 민원",
    district: "자치구", open_cases: "처리 중", on_time_rate: "기한 내 답변율", division: "부서",
    cases: "민원", median: "중앙값", citywide: "시 전역", suppressed: "비공개 (시민 수 적음)",
    hours: (h) => (h < 48 ? `${h}시간` : `${(h / 24).toFixed(1)}일`), none: "—",
    k_note: "시민 수가 적은 통계는 개인을 알아볼 수 없도록 표시하지 않습니다.",
    updated: (t) => `갱신 ${t}`, no_recent: "아직 답변한 민원이 없습니다.",
    on_time: "기한 내", late: "기한 후", answered_on: (t) => `답변 ${t}`, opened_on: (t) => `접수 ${t}`,
    complaint: "불편", idea: "제안", praise: "칭찬", question: "문의",
    st_fixed: "처리 완료", st_answered: "답변 완료", st_closed: "종결", st_duplicate: "중복",
    st_not_responsible: "소관 아님", st_in_progress: "처리 중", st_received: "접수", st_assigned: "배정",
    st_investigating: "조사 중", st_action_scheduled: "처리 예정", st_reopened: "재처리",
    no_public_answer: "답변 내용은 공개되지 않았습니다.",
  },
  en: {
    title: "Seoul open feedback data", map_title: "Open cases and answers on time, by district",
    division_title: "Median time to first answer, by division", recent_title: "Recently answered cases",
    district: "District", open_cases: "Open", on_time_rate: "Answered on time", division: "Division",
    cases: "Cases", median: "Median", citywide: "Citywide", suppressed: "withheld (few citizens)",
    hours: (h) => (h < 48 ? `${h} h` : `${(h / 24).toFixed(1)} days`), none: "—",
    k_note: "Figures covering only a few citizens are withheld so that no one can be singled out.",
    updated: (t) => `Updated ${t}`, no_recent: "No case answered yet.",
    on_time: "on time", late: "late", answered_on: (t) => `answered ${t}`, opened_on: (t) => `opened ${t}`,
    complaint: "Complaint", idea: "Idea", praise: "Praise", question: "Question",
    st_fixed: "Fixed", st_answered: "Answered", st_closed: "Closed", st_duplicate: "Duplicate",
    st_not_responsible: "Not responsible", st_in_progress: "In progress", st_received: "Received",
    st_assigned: "Assigned", st_investigating: "Investigating", st_action_scheduled: "Action scheduled",
    st_reopened: "Reopened", no_public_answer: "The answer itself is not published.",
  },
};

export const i18n = languages(labels, { storageKey: "open.language", fallback: "ko" });
export const { currentLanguage, setLanguage, t } = i18n;
