// The statutory answer clock of a case (its service_level, computed by dedup
// from the record's own times) as the page shows it. Only "is it late now"
// looks at the browser's clock.

const SOON_MS = 24 * 3600 * 1000;  // due within a day: about to be late

// -> { state, due } with state one of: none (no clock), answered (in time),
// answered_late, late (unanswered past due), soon (due within a day), running.
export function clockOf(c, now = Date.now()) {
  const s = c.service_level;
  if (!s || !s.due_at) return { state: "none", due: null };
  const due = Date.parse(s.due_at);
  if (s.answered_at) return { state: s.on_time ? "answered" : "answered_late", due };
  if (now > due) return { state: "late", due };
  if (due - now <= SOON_MS) return { state: "soon", due };
  return { state: "running", due };
}

// What is about to be late first: unanswered by due time (the late ones, most
// overdue, at the top), then answered cases and cases without a clock.
export function byDue(a, b, now = Date.now()) {
  const rank = (c) => {
    const k = clockOf(c, now);
    return k.state === "late" || k.state === "soon" || k.state === "running" ? k.due : Infinity;
  };
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  return (b.last_seen || "").localeCompare(a.last_seen || "");
}
