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
