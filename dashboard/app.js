// The division staff's page: sign in with a token, pick a division, and watch
// its open cases live. State is kept here; connection.js speaks the protocol,
// map.js draws the gu. The list is virtual (only the visible rows exist), so
// 5,000 open cases cost what 20 do.

import { renderActions, resetActions } from "./actions.js";
import { byDue, clockOf } from "./clock.js";
import { Subscription } from "./connection.js";
import { DistrictMap } from "./map.js";
import { channelLabel, currentLanguage, divisionLabel, i18n, t } from "./i18n.js";
import { languageButton } from "./language.js";

const ROW_HEIGHT = 64;
const MAX_REPORTS_PER_CASE = 50;
const $ = (id) => document.getElementById(id);

const state = {
  token: localStorage.getItem("dashboard.token") || "",
  division: localStorage.getItem("dashboard.division") || "",
  granted: [],
  cases: new Map(),    // id -> case record (case.v1)
  reports: new Map(),  // case id -> routed messages seen, newest first
  missed: new Set(),   // case ids that changed while the page was away (replayed)
  missedEvents: 0,
  shown: [],
  selected: null,
  connection: "offline",
  subscription: null,
  events: [],          // every event applied, for tests: {type, key}
};
const filters = { district: "", kind: "", urgency: "", status: "open" };
let sortBy = localStorage.getItem("dashboard.sort") || "latest";
let map;
let renderQueued = false;

function fmtTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(currentLanguage() === "ko" ? "ko-KR" : "en-GB",
    { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

function districtLabel(id) {
  if (!id) return t("citywide");
  return currentLanguage() === "ko" && map ? map.name(id) : id;
}

function fillDivisions(divisions) {
  const select = $("division");
  select.replaceChildren(...divisions.map((d) => Object.assign(document.createElement("option"), { value: d, textContent: divisionLabel(d) })));
  select.value = state.division;
}

function setConnection(s) {
  state.connection = s;
  const el = $("connection");
  el.dataset.state = s;
  el.textContent = t(s);
}

function caseMatches(c) {
  if (filters.district && (c.district || "") !== filters.district) return false;
  if (filters.kind && c.kind !== filters.kind) return false;
  if (filters.urgency && c.urgency !== filters.urgency) return false;
  if (filters.status && (c.status || "open") !== filters.status) return false;
  return true;
}

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function render() {
  const all = [...state.cases.values()];
  const now = Date.now();
  state.shown = all.filter(caseMatches).sort(sortBy === "due" ? (a, b) => byDue(a, b, now)
    : (a, b) => (b.last_seen || "").localeCompare(a.last_seen || ""));
  $("counts").textContent = t("cases_shown", state.shown.length, all.length);
  const missed = $("missed");
  missed.hidden = state.missedEvents === 0;
  missed.textContent = t("missed", state.missedEvents);
  $("list-spacer").style.height = `${state.shown.length * ROW_HEIGHT}px`;
  renderRows();
  const counts = new Map();
  const points = [];
  for (const c of state.shown) {
    if (c.district) counts.set(c.district, (counts.get(c.district) || 0) + 1);
    if (c.location) points.push({ lat: c.location.lat, lon: c.location.lon, urgent: c.urgency === "high" });
  }
  if (map) map.draw(counts, points, filters.district);
  if (state.selected) renderDetail();
}

function renderRows() {
  const list = $("list");
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - 5);
  const last = Math.min(state.shown.length, first + Math.ceil(list.clientHeight / ROW_HEIGHT) + 10);
  for (const row of [...list.querySelectorAll(".row")]) row.remove();
  const fragment = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    const c = state.shown[i];
    const row = document.createElement("div");
    row.className = "row";
    row.setAttribute("role", "listitem");
    row.dataset.case = c.id;
    row.style.top = `${i * ROW_HEIGHT}px`;
    if (state.missed.has(c.id)) row.classList.add("missed");
    if (c.urgency === "high") row.classList.add("urgent");
    if (state.selected === c.id) row.classList.add("selected");
    const title = document.createElement("div");
    title.className = "case-title";
    title.textContent = c.title || c.id;
    const meta = document.createElement("div");
    meta.className = "case-meta";
    meta.textContent = [t(c.kind || "complaint"), c.urgency === "high" ? t("high") : null,
      (c.channels || []).map(channelLabel).join(", ")].filter(Boolean).join(" · ");
    const clock = clockOf(c);
    if (clock.state !== "none") {
      const due = document.createElement("span");
      due.className = "case-due";
      due.dataset.clock = clock.state;
      due.textContent = `${t("clock_" + clock.state)} · ${t("due_at")} ${fmtTime(c.service_level.due_at)}`;
      meta.append(" · ", due);
    }
    row.dataset.clock = clock.state;
    const latest = document.createElement("div");
    latest.className = "case-latest";
    latest.textContent = c.report_count > 1 ? c.latest_text || "" : "";
    const main = document.createElement("div");
    main.className = "case-main";
    main.append(title, meta, latest);
    const count = document.createElement("span");
    count.className = "case-count";
    count.textContent = c.report_count;
    const district = document.createElement("span");
    district.className = "case-district";
    district.textContent = districtLabel(c.district);
    const when = document.createElement("span");
    when.className = "case-when";
    when.textContent = fmtTime(c.last_seen);
    row.append(main, count, district, when);
    row.addEventListener("click", () => { state.selected = c.id; render(); });
    fragment.append(row);
  }
  list.append(fragment);
}

function renderDetail() {
  const c = state.cases.get(state.selected);
  const aside = $("detail");
  if (!c) { aside.hidden = true; return; }
  aside.hidden = false;
  aside.dataset.case = c.id;
  $("detail-title").textContent = c.title || c.id;
  const facts = [
    ["status", t(c.status || "open")], ["kind", t(c.kind || "complaint")], ["urgency", t(c.urgency || "normal")],
    ["district", districtLabel(c.district)], ["divisions", (c.divisions || []).map(divisionLabel).join(", ")],
    ["report_count", String(c.report_count)], ["duplicates", String(c.duplicates_dropped ?? 0)],
    ["channels", (c.channels || []).map(channelLabel).join(", ")], ["first_seen", fmtTime(c.first_seen)],
    ["last_seen", fmtTime(c.last_seen)], ["first_text", c.title || ""], ["latest_text", c.latest_text || ""],
  ];
  const sl = c.service_level;
  if (sl) {
    facts.push(["due_at", `${fmtTime(sl.due_at)} (${t("limit_" + sl.limit.unit, sl.limit.amount)})`],
      ["answered_at", sl.answered_at ? fmtTime(sl.answered_at) : "—"], ["clock", t("clock_" + clockOf(c).state)]);
  }
  const dl = $("detail-facts");
  dl.replaceChildren();
  for (const [k, v] of facts) {
    const dt = document.createElement("dt"); dt.textContent = t(k);
    const dd = document.createElement("dd"); dd.textContent = v; dd.dataset.fact = k;
    dl.append(dt, dd);
  }
  renderActions($("detail-actions"), c, () => state.token);
  const ol = $("detail-reports");
  ol.replaceChildren();
  const reports = state.reports.get(c.id) || [];
  if (!reports.length) {
    const li = document.createElement("li"); li.className = "empty"; li.textContent = t("no_reports"); ol.append(li);
  }
  for (const m of reports) {
    const li = document.createElement("li");
    const e = m.envelope || {};
    const head = document.createElement("div");
    head.className = "report-head";
    head.textContent = `${fmtTime(e.received_at)} · ${e.channel ? channelLabel(e.channel) : ""}`;
    const text = document.createElement("div");
    text.className = "report-text";
    text.textContent = e.text || "";
    li.append(head, text);
    ol.append(li);
  }
}

function applyCase(c, { replay }) {
  state.events.push({ type: "case", key: c.id });
  state.cases.set(c.id, c);
  if (replay) { state.missed.add(c.id); state.missedEvents++; }
  scheduleRender();
}

function applyMessage(m, { replay }) {
  const key = m.envelope && m.envelope.id;
  state.events.push({ type: "message", key });
  const list = state.reports.get(m.case_id) || [];
  list.unshift(m);
  if (list.length > MAX_REPORTS_PER_CASE) list.length = MAX_REPORTS_PER_CASE;
  state.reports.set(m.case_id, list);
  if (replay) { state.missed.add(m.case_id); state.missedEvents++; }
  scheduleRender();
}

function fillSelect(select, values, label) {
  const current = select.value;
  select.replaceChildren();
  const all = document.createElement("option");
  all.value = ""; all.textContent = t("all");
  select.append(all);
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v; o.textContent = label(v);
    select.append(o);
  }
  select.value = current;
}

function fillFilters(districts) {
  fillSelect($("f-district"), districts, districtLabel);
  fillSelect($("f-kind"), ["complaint", "idea", "praise", "question"], (v) => t(v));
  fillSelect($("f-urgency"), ["high", "normal"], (v) => t(v));
  fillSelect($("f-status"), ["open", "closed"], (v) => t(v));
  $("f-status").value = filters.status;
  const sort = $("sort");
  sort.replaceChildren(...["latest", "due"].map((v) =>
    Object.assign(document.createElement("option"), { value: v, textContent: t("sort_" + v) })));
  sort.value = sortBy;
}

function connect() {
  if (state.subscription) state.subscription.stop();
  state.cases.clear();
  state.reports.clear();
  state.missed.clear();
  state.missedEvents = 0;
  const sub = new Subscription({
    token: state.token,
    division: state.division,
    onState: setConnection,
    onWelcome: (w) => {
      state.granted = w.divisions;
      $("who").textContent = `${w.sub} (${w.role || "staff"})`;
      const select = $("division");
      if (!state.division || !w.divisions.includes(state.division)) {
        state.division = w.divisions[0] || "";
        sub.division = state.division;
      }
      fillDivisions(w.divisions);
      select.hidden = false;
    },
    onSnapshot: (cases) => {
      state.cases.clear();
      for (const c of cases) state.cases.set(c.id, c);
      state.events.push({ type: "snapshot", key: String(cases.length) });
      scheduleRender();
    },
    onCase: applyCase,
    onMessage: applyMessage,
    onLive: ({ replayed, resumed }) => { if (!resumed) { state.missed.clear(); state.missedEvents = 0; } scheduleRender(); },
    onError: (e) => {
      if (e.terminal) {
        $("signin-error").textContent = e.code === 4402 ? t("expired") : `${t("refused")}: ${e.reason}`;
        showSignin();
      } else if (e.code && e.type === "error") {
        $("signin-error").textContent = `${e.code}: ${e.message}`;
      }
    },
    onRefreshDue: () => { $("signin-error").textContent = t("refresh_due"); },
  });
  state.subscription = sub;
  sub.start();
}

function showSignin() {
  $("signin").hidden = false;
  $("board").hidden = true;
  $("signout").hidden = true;
}

function showBoard() {
  $("signin").hidden = true;
  $("board").hidden = false;
  $("signout").hidden = false;
}

async function main() {
  languageButton($("language"), i18n, () => {
    setConnection(state.connection);
    resetActions($("detail-actions"));
    fillFilters(districts);
    if (state.granted.length) fillDivisions(state.granted);
    render();
  });
  map = new DistrictMap($("map-svg"), $("map-dots"), {
    onPick: (id) => { filters.district = filters.district === id ? "" : id; $("f-district").value = filters.district; render(); },
  });
  let districts = [];
  try { districts = await map.load("districts.geojson"); } catch { /* the list works without the map */ }
  fillFilters(districts);
  for (const key of Object.keys(filters)) {
    $("f-" + key).addEventListener("change", (e) => { filters[key] = e.target.value; render(); });
  }
  $("sort").addEventListener("change", (e) => {
    sortBy = e.target.value;
    localStorage.setItem("dashboard.sort", sortBy);
    render();
  });
  // "Late now" moves with the clock even when no event arrives.
  setInterval(scheduleRender, 60000);
  $("list").addEventListener("scroll", () => renderRows(), { passive: true });
  $("detail-close").addEventListener("click", () => { state.selected = null; $("detail").hidden = true; render(); });
  $("division").addEventListener("change", (e) => {
    state.division = e.target.value;
    localStorage.setItem("dashboard.division", state.division);
    connect();
  });
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    if (state.subscription && state.connection !== "offline" && state.token) {
      state.token = token;
      localStorage.setItem("dashboard.token", token);
      state.subscription.refresh(token);
      showBoard();
      return;
    }
    state.token = token;
    localStorage.setItem("dashboard.token", token);
    $("signin-error").textContent = "";
    showBoard();
    connect();
  });
  $("signout").addEventListener("click", () => {
    localStorage.removeItem("dashboard.token");
    state.token = "";
    if (state.subscription) state.subscription.stop();
    showSignin();
  });
  window.addEventListener("resize", scheduleRender);
  // After a laptop's sleep the socket may look open to the browser while the
  // gateway has long closed it: a clock jump means we slept, so reconnect and
  // resume from the last position (the replay shows what was missed).
  let tick = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - tick > 15000 && state.subscription) state.subscription.drop();
    tick = now;
  }, 5000);
  window.addEventListener("online", () => state.subscription && state.subscription.drop());
  setConnection("offline");
  if (state.token) { showBoard(); connect(); } else { showSignin(); }
}

// For the browser tests and for anyone curious in the console.
window.dashboard = {
  state, filters, render,
  drop: () => state.subscription && state.subscription.drop(),
  position: () => state.subscription && state.subscription.position,
};

main();
