// Korean and English labels. Keys are used by data-i18n attributes and by t().
export const labels = {
  ko: {
    title: "민원 대시보드", signin: "로그인", signout: "로그아웃",
    token_label: "접근 토큰 (script/token 으로 발급)",
    district: "자치구", kind: "유형", urgency: "긴급도", status: "상태", reports: "제보",
    col_case: "민원", col_reports: "건수", col_district: "자치구", col_latest: "최근",
    all: "전체", citywide: "시 전역",
    complaint: "불편", idea: "제안", praise: "칭찬", question: "문의",
    normal: "보통", high: "긴급", open: "진행 중", closed: "종결",
    live: "실시간", connecting: "연결 중", reconnecting: "재연결 중", resumed: "재개됨",
    reloaded: "다시 불러옴", offline: "연결 끊김",
    cases_shown: (shown, total) => `${total}건 중 ${shown}건 표시`,
    missed: (n) => `자리 비운 사이 ${n}건`,
    first_seen: "최초 접수", last_seen: "최근 접수", report_count: "제보 수", channels: "채널",
    divisions: "담당 부서", first_text: "최초 제보", latest_text: "최근 제보",
    duplicates: "중복 제거", no_reports: "이 화면을 연 뒤 받은 제보가 여기에 표시됩니다.",
    expired: "토큰이 만료되었습니다. 새 토큰으로 로그인하세요.",
    refused: "토큰이 거부되었습니다",
    refresh_due: "토큰이 곧 만료됩니다. 새 토큰을 붙여 넣으면 연결이 유지됩니다.",
    case_actions: "처리", case_status: "처리 상태", open311: "Open311", latest_answer: "최근 답변",
    deliveries: "답변 전달", support: "공감", no_deliveries: "아직 보낸 답변이 없습니다",
    answered_of: (n, of) => `시민 ${of}명 중 ${n}명에게 전달`, in_flight: "전달 중",
    delivery_note: (n, channel, why) => `${channel} ${n}명 ${why}`,
    out_failed: "실패", out_window_expired: "24시간 응답 가능 시간 경과", out_opted_out: "수신 거부",
    out_unconfirmed: "전달 여부 미확인",
    supporters: (n, crossed) => `${n}명` + (crossed.length ? ` (${crossed.join(", ")})` : ""),
    support_progress: (n, next) => `${n} / ${next}명`,
    milestone_at: (name, at, reached) => `${at}명 ${name}` + (reached ? " ✓" : ""),
    ms_department_answers: "부서 답변", ms_public_forum: "공론장", ms_mayor_answers: "시장 답변",
    no_support_kind: "제안이 아니어서 공감을 받지 않습니다",
    ch_line: "LINE", ch_telegram: "텔레그램", ch_whatsapp: "WhatsApp", ch_slack: "Slack", ch_x: "X",
    ch_kakao: "카카오톡", ch_web: "웹사이트", ch_open311: "Open311", ch_messenger: "Messenger",
    ch_instagram: "Instagram",
    new_status: "상태 변경", no_status_change: "(변경 없음)", answer: "시민에게 보낼 답변", language: "언어",
    notify: "시민에게 알림", send_update: "보내기", nothing_to_send: "상태나 답변을 입력하세요.",
    sending: "보내는 중…", not_sent: "보내지 못했습니다. 다시 누르면 같은 요청으로 재시도합니다",
    update_accepted: (status, notify) => `접수됨${status ? ": " + status : ""}` +
      (notify ? " · 제보한 시민 모두에게 전달합니다" : " · 시민에게 알리지 않음"),
    st_received: "접수", st_assigned: "배정", st_investigating: "조사 중", st_in_progress: "처리 중",
    st_action_scheduled: "처리 예정", st_fixed: "처리 완료", st_answered: "답변 완료", st_duplicate: "중복",
    st_not_responsible: "소관 아님", st_closed: "종결", st_reopened: "재처리",
    publish_answer: "답변 공개 (공공데이터)", sort: "정렬", sort_latest: "최근 접수순", sort_due: "처리기한 임박순", due_at: "처리기한",
    answered_at: "최초 답변", clock: "처리기한 준수",
    clock_running: "기한 내", clock_soon: "기한 임박", clock_late: "기한 경과",
    clock_answered: "기한 내 답변", clock_answered_late: "기한 후 답변", clock_none: "기한 없음",
    limit_working_days: (n) => `근무일 ${n}일`, limit_working_hours: (n) => `근무시간 ${n}시간`,
  },
  en: {
    title: "Division dashboard", signin: "Sign in", signout: "Sign out",
    token_label: "Access token (from script/token)",
    district: "District", kind: "Kind", urgency: "Urgency", status: "Status", reports: "Reports",
    col_case: "Case", col_reports: "Reports", col_district: "District", col_latest: "Latest",
    all: "All", citywide: "Citywide",
    complaint: "Complaint", idea: "Idea", praise: "Praise", question: "Question",
    normal: "Normal", high: "Urgent", open: "Open", closed: "Closed",
    live: "Live", connecting: "Connecting", reconnecting: "Reconnecting", resumed: "Resumed",
    reloaded: "Reloaded", offline: "Offline",
    cases_shown: (shown, total) => `${shown} of ${total} cases`,
    missed: (n) => `${n} while away`,
    first_seen: "First report", last_seen: "Latest report", report_count: "Reports", channels: "Channels",
    divisions: "Divisions", first_text: "First report", latest_text: "Latest report",
    duplicates: "Duplicates removed", no_reports: "Reports received since this page opened appear here.",
    expired: "The token expired. Sign in with a new one.",
    refused: "The token was refused",
    refresh_due: "The token expires soon. Paste a new one to stay connected.",
    case_actions: "Handling", case_status: "Status", open311: "Open311", latest_answer: "Latest answer",
    deliveries: "Answer delivery", support: "Support", no_deliveries: "No answer sent yet",
    answered_of: (n, of) => `answered ${n} of ${of} citizens`, in_flight: "still sending",
    delivery_note: (n, channel, why) => `${n} ${channel} ${why}`,
    out_failed: "failed", out_window_expired: "outside the 24-hour window", out_opted_out: "opted out",
    out_unconfirmed: "unconfirmed",
    supporters: (n, crossed) => `${n} supporters` + (crossed.length ? ` (${crossed.join(", ")})` : ""),
    support_progress: (n, next) => `${n} / ${next}`,
    milestone_at: (name, at, reached) => `${name} at ${at}` + (reached ? " ✓" : ""),
    ms_department_answers: "department answers", ms_public_forum: "forum", ms_mayor_answers: "mayor",
    no_support_kind: "not an idea: gathers no support",
    ch_line: "LINE", ch_telegram: "Telegram", ch_whatsapp: "WhatsApp", ch_slack: "Slack", ch_x: "X",
    ch_kakao: "KakaoTalk", ch_web: "website", ch_open311: "Open311", ch_messenger: "Messenger",
    ch_instagram: "Instagram",
    new_status: "New status", no_status_change: "(no change)", answer: "Answer to the citizens", language: "Language",
    notify: "Tell the citizens", send_update: "Send", nothing_to_send: "Choose a status or write an answer.",
    sending: "Sending…", not_sent: "Not sent; clicking again retries the same request",
    update_accepted: (status, notify) => `Accepted${status ? ": " + status : ""}` +
      (notify ? " · every citizen who reported it will hear" : " · the citizens are not told"),
    st_received: "Received", st_assigned: "Assigned", st_investigating: "Investigating", st_in_progress: "In progress",
    st_action_scheduled: "Action scheduled", st_fixed: "Fixed", st_answered: "Answered", st_duplicate: "Duplicate",
    st_not_responsible: "Not responsible", st_closed: "Closed", st_reopened: "Reopened",
    publish_answer: "Publish the answer (open data)", sort: "Sort", sort_latest: "Latest report", sort_due: "About to be late", due_at: "Due",
    answered_at: "First answered", clock: "Answer clock",
    clock_running: "On track", clock_soon: "Due soon", clock_late: "Late",
    clock_answered: "Answered in time", clock_answered_late: "Answered late", clock_none: "No limit",
    limit_working_days: (n) => `${n} working days`, limit_working_hours: (n) => `${n} working hours`,
  },
};

let language = localStorage.getItem("dashboard.language") || "ko";

export function currentLanguage() { return language; }

export function setLanguage(lang) {
  language = lang;
  localStorage.setItem("dashboard.language", lang);
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

export function t(key, ...args) {
  const v = labels[language][key] ?? labels.en[key] ?? key;
  return typeof v === "function" ? v(...args) : v;
}
