// The case detail's actions: where the case stands (its lifecycle, support and
// how the latest update reached the citizens, as dedup folded them into the
// case), and the form that changes its status and answers the citizens through
// POST /v1/cases/{id}/updates. The form is built once per case shown, so what a
// clerk types survives the live updates that re-render the detail.

import { channelLabel, currentLanguage, divisionLabel, labelOr, t } from "./i18n.js";

export const STATUSES = ["assigned", "investigating", "in_progress", "action_scheduled", "fixed", "answered",
  "duplicate", "not_responsible", "closed", "reopened"];

// What a clerk usually writes with each status; a starting point, edited freely.
const TEMPLATES = {
  ko: {
    assigned: "담당 부서에 배정되었습니다. 검토 후 다시 알려 드리겠습니다.",
    investigating: "현장을 확인하고 있습니다. 결과를 알려 드리겠습니다.",
    in_progress: "처리 중입니다. 완료되면 알려 드리겠습니다.",
    action_scheduled: "작업 일정이 잡혔습니다. 예정일에 처리하겠습니다.",
    fixed: "처리를 완료했습니다. 신고해 주셔서 감사합니다.",
    answered: "의견에 답변 드립니다. 소중한 의견 감사합니다.",
    duplicate: "같은 내용의 민원으로 함께 처리하고 있습니다.",
    not_responsible: "시의 소관 업무가 아니어서 담당 기관에 전달했습니다.",
    closed: "민원을 종결합니다. 감사합니다.",
    reopened: "민원을 다시 처리하겠습니다.",
  },
  en: {
    assigned: "Your report was assigned to the responsible division; we will get back to you.",
    investigating: "We are looking into it on site and will tell you what we find.",
    in_progress: "We are working on it and will tell you when it is done.",
    action_scheduled: "The work is scheduled; we will do it on the planned date.",
    fixed: "It is fixed. Thank you for reporting it.",
    answered: "Here is our answer. Thank you for your suggestion.",
    duplicate: "This is the same issue as another report; we handle them together.",
    not_responsible: "This is not the city's to handle; we passed it to the responsible body.",
    closed: "We are closing this case. Thank you.",
    reopened: "We are handling this case again.",
  },
};

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// 128 random bits; crypto.getRandomValues works without a secure context too.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "dash-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const number = (n) => Number(n || 0).toLocaleString(currentLanguage() === "ko" ? "ko-KR" : "en-US");

// A label of i18n.js, else the id as it is (a channel or milestone added later).

function deliveriesText(d) {
  if (!d) return t("no_deliveries");
  const o = d.outcomes || {};
  const reached = (o.delivered || 0) + (o.published || 0);
  const notes = [];
  for (const [channel, counts] of Object.entries(d.by_channel || {})) {
    for (const [outcome, n] of Object.entries(counts)) {
      if (outcome !== "delivered" && outcome !== "published" && n) {
        notes.push(t("delivery_note", number(n), channelLabel(channel), t("out_" + outcome)));
      }
    }
  }
  const head = t("answered_of", number(reached), number(d.recipients)) + (d.complete ? "" : ` (${t("in_flight")})`);
  return notes.length ? `${head}; ${notes.join(", ")}` : head;
}

// "37 / 50 · department answers at 50; forum at 100; mayor at 1,000": the count
// against the milestones dedup was configured with (support.milestones; null
// for a case that is not an idea, which gathers no support).
function supportText(s) {
  if (!s || !Array.isArray(s.milestones)) return t("no_support_kind");
  const count = s.count || 0;
  const milestones = [...s.milestones].sort((a, b) => a.threshold - b.threshold);
  if (!milestones.length) return t("supporters", number(count), []);
  const crossed = new Set((s.thresholds || []).map((x) => x.threshold));
  const next = milestones.find((m) => !crossed.has(m.threshold) && count < m.threshold);
  const head = next ? t("support_progress", number(count), number(next.threshold)) : t("supporters", number(count), []);
  const steps = milestones.map((m) => t("milestone_at", labelOr("ms_" + m.milestone, m.milestone.replaceAll("_", " ")),
    number(m.threshold), crossed.has(m.threshold) || count >= m.threshold));
  return `${head} · ${steps.join("; ")}`;
}

// The lifecycle part, rebuilt whenever the case changes.
function renderStanding(box, c) {
  const l = c.lifecycle || { status: "received", history: [] };
  const rows = [
    ["case_status", t("st_" + l.status)],
    ["open311", l.open311_status || ""],
    ["latest_answer", l.answer ? l.answer.text : ""],
    ["deliveries", deliveriesText(c.deliveries)],
    ["support", supportText(c.support)],
  ];
  const dl = el("dl", { className: "facts" });
  for (const [k, v] of rows) {
    const dd = el("dd", { textContent: v });
    dd.dataset.standing = k;
    dl.append(el("dt", { textContent: t(k) }), dd);
  }
  const history = el("ol", { className: "history" });
  for (const h of (l.history || []).slice(-5).reverse()) {
    history.append(el("li", { textContent: `${h.at ? new Date(h.at).toLocaleString(currentLanguage() === "ko" ? "ko-KR" : "en-GB") : ""} · ${t("st_" + h.status)} · ${divisionLabel(h.division)}${h.note ? " · " + h.note : ""}` }));
  }
  box.replaceChildren(dl, history);
}

function problemText(status, body) {
  if (body && typeof body === "object") {
    const where = body.pointer ? ` (${body.pointer})` : "";
    return `${status} ${body.detail || body.title || ""}${where}`;
  }
  return `${status}`;
}

// The form, built once per case. getToken() gives the clerk's current token.
function buildForm(c, getToken) {
  const status = el("select", { id: "action-status", name: "status" },
    el("option", { value: "", textContent: t("no_status_change") }),
    ...STATUSES.map((s) => el("option", { value: s, textContent: t("st_" + s) })));
  const text = el("textarea", { id: "action-answer", name: "answer", rows: 4, maxLength: 4000 });
  const language = el("select", { id: "action-language", name: "language" },
    el("option", { value: "ko", textContent: "한국어" }), el("option", { value: "en", textContent: "English" }));
  language.value = currentLanguage();
  const notify = el("input", { id: "action-notify", type: "checkbox", checked: true });
  // Off by default: an answer may address the citizen; only what the clerk marks goes to /open/.
  const publish = el("input", { id: "action-public", type: "checkbox", checked: false });
  const submit = el("button", { type: "submit", textContent: t("send_update") });
  const result = el("p", { id: "action-result", className: "result", role: "status" });
  let template = "";
  const fillTemplate = () => {
    // A template replaces only a box that is empty or still holds the last template.
    if (text.value && text.value !== template) return;
    template = status.value ? TEMPLATES[language.value][status.value] : "";
    text.value = template;
  };
  status.addEventListener("change", fillTemplate);
  language.addEventListener("change", fillTemplate);

  // The same body sent again (a retry after a failure) keeps its key, so the
  // gateway answers the first result instead of storing a second update.
  let pending = null;
  const form = el("form", { id: "action-form", className: "action-form" },
    el("label", {}, el("span", { textContent: t("new_status") }), status),
    el("label", {}, el("span", { textContent: t("answer") }), text),
    el("div", { className: "action-row" },
      el("label", {}, el("span", { textContent: t("language") }), language),
      el("label", {}, notify, el("span", { textContent: t("notify") })),
      el("label", {}, publish, el("span", { textContent: t("publish_answer") })),
      submit),
    result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {};
    if (status.value) body.status = status.value;
    if (text.value.trim()) {
      body.answer = { text: text.value.trim(), language: language.value };
      if (publish.checked) body.answer.public = true;
    }
    if (!notify.checked) body.notify = false;
    if (!body.status && !body.answer) {
      result.dataset.outcome = "refused";
      result.textContent = t("nothing_to_send");
      return;
    }
    const json = JSON.stringify(body);
    if (!pending || pending.json !== json) pending = { json, key: newKey() };
    submit.disabled = true;
    result.dataset.outcome = "sending";
    result.textContent = t("sending");
    try {
      const res = await fetch(`/v1/cases/${encodeURIComponent(c.id)}/updates`, {
        method: "POST", body: json,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${getToken()}`,
          "Idempotency-Key": pending.key },
      });
      const answer = await res.json().catch(() => null);
      if (res.status === 202) {
        pending = null;
        result.dataset.outcome = "accepted";
        result.dataset.update = answer.update_id;
        result.textContent = t("update_accepted", answer.status ? t("st_" + answer.status) : "", answer.notify);
        status.value = "";
        text.value = template = "";
      } else {
        result.dataset.outcome = res.status === 503 || res.status === 429 ? "retry" : "refused";
        if (result.dataset.outcome === "refused") pending = null;
        result.textContent = problemText(res.status, answer);
      }
    } catch (err) {
      result.dataset.outcome = "retry";  // the same key goes again with the next click
      result.textContent = `${t("not_sent")}: ${err.message}`;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// Fills #detail-actions for case c (called on every render of the detail).
export function renderActions(section, c, getToken) {
  if (section.dataset.case !== c.id) {
    section.dataset.case = c.id;
    const standing = el("div", { className: "standing" });
    section.replaceChildren(el("h3", { textContent: t("case_actions") }), standing, buildForm(c, getToken));
  }
  renderStanding(section.querySelector(".standing"), c);
}

// After a language switch the form's labels change too (a draft is kept only
// within one language).
export function resetActions(section) { delete section.dataset.case; }
