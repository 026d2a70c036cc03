// The public open-data page: everything from the gateway's /open/v1/ API (no
// token, nothing from elsewhere): open cases and on-time rates by district on
// the map, each division's median time to first answer, recently answered cases.
import { DistrictMap } from "./map.js";
import { currentLanguage, i18n, t } from "./i18n.js";
import { languageButton } from "./language.js";

const $ = (id) => document.getElementById(id);
const state = { district: null, division: null, recent: null, map: null };

async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function fmt(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(currentLanguage() === "ko" ? "ko-KR" : "en-GB",
    { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Seoul" });
}

function rate(cell) {
  if (cell.suppressed) return t("suppressed");
  const clocked = cell.answered_on_time + cell.answered_late;  // praise has no clock
  if (!clocked) return t("none");
  return `${Math.round((100 * cell.answered_on_time) / clocked)}%`;
}

function districtName(key) {
  if (key === "citywide") return t("citywide");
  return currentLanguage() === "ko" && state.map ? state.map.name(key) : key;
}

function row(tbody, cells, attrs) {
  const tr = document.createElement("tr");
  Object.assign(tr.dataset, attrs);
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
  tbody.append(tr);
}

function render() {
  if (state.district) {
    const tbody = $("districts").querySelector("tbody");
    tbody.replaceChildren();
    const counts = new Map();
    for (const c of state.district.cells) {
      if (!c.suppressed) counts.set(c.key, c.open);
      row(tbody, [districtName(c.key), c.suppressed ? t("suppressed") : String(c.open), rate(c)],
        { district: c.key, suppressed: String(c.suppressed) });
    }
    if (state.map) state.map.draw(counts, [], "");
  }
  if (state.division) {
    const tbody = $("divisions").querySelector("tbody");
    tbody.replaceChildren();
    for (const c of state.division.cells) {
      const median = c.median_hours_to_first_answer;
      row(tbody, [c.key, c.suppressed ? t("suppressed") : String(c.cases),
        c.suppressed || median === null ? t("none") : t("hours", median), rate(c)],
      { division: c.key, suppressed: String(c.suppressed) });
    }
  }
  if (state.recent) {
    const ol = $("recent");
    ol.replaceChildren();
    if (!state.recent.items.length) {
      const li = document.createElement("li"); li.className = "empty"; li.textContent = t("no_recent"); ol.append(li);
    }
    for (const c of state.recent.items) {
      const li = document.createElement("li");
      li.dataset.case = c.id;
      const head = document.createElement("div");
      head.className = "recent-head";
      head.textContent = [t("st_" + c.status), c.division, districtName(c.district || "citywide"), t(c.kind)].join(" · ");
      const when = document.createElement("div");
      when.className = "recent-when";
      when.textContent = [t("opened_on", fmt(c.opened_at)), t("answered_on", fmt(c.first_answered_at)),
        c.on_time === null ? null : t(c.on_time ? "on_time" : "late")].filter(Boolean).join(" · ");
      const answer = document.createElement("p");
      answer.className = c.answer ? "answer" : "answer muted";
      answer.textContent = c.answer ? c.answer.text : t("no_public_answer");
      li.append(head, when, answer);
      ol.append(li);
    }
  }
  $("updated").textContent = t("updated", fmt(new Date().toISOString()));
}

async function refresh() {
  const [district, division, recent] = await Promise.all([
    get("v1/stats/district"), get("v1/stats/division"), get("v1/cases?answered=true&sort=answered&per_page=10")]);
  Object.assign(state, { district, division, recent });
  render();
  document.body.dataset.loaded = "true";
}

async function main() {
  languageButton($("language"), i18n, render);
  state.map = new DistrictMap($("map-svg"), $("map-dots"), { onPick: () => {} });
  try { await state.map.load("districts.geojson"); } catch { state.map = null; }
  await refresh();
  setInterval(() => refresh().catch(() => {}), 60000);
}

main();
