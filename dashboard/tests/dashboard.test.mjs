// The dashboard in a real browser (Debian's chromium driven by playwright-core)
// against the real pipeline: gateway ingest -> dedup -> router on the test
// broker, and the gateway's subscribe module serving the page. Sign in, see the
// snapshot, see a new report appear live, then a cut while reports keep coming
// (the gateway restarts, as a laptop's sleep or a deploy would cut it): the page
// resumes and shows exactly what it missed, each once. On the way the clerk
// answers a case from its detail and sees its new status arrive live.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS, REPO, browserRun, endOffsets, freePort, mintToken, post, startGateway, startPipeline, waitFor } from "./pipeline.mjs";

const ARTIFACTS = process.env.DASHBOARD_ARTIFACTS || path.join(REPO, "build/dashboard-test");

// Reports of distinct problems in distinct places (each its own case of roads).
const PLACES = [
  ["마포구 홍대입구역 9번 출구 앞 도로에 포트홀이 크게 생겼어요", 37.5576, 126.9240],
  ["종로구 광화문역 2번 출구 보도블록이 깨져서 걸려 넘어질 뻔했어요", 37.5716, 126.9768],
  ["강남구 역삼역 사거리 도로에 포트홀이 있어요", 37.5006, 127.0364],
];
const LIVE = ["송파구 잠실역 8번 출구 앞 도로 맨홀 뚜껑이 들려 있어요", 37.5133, 127.1001];
const WHILE_AWAY = [
  ["노원구 상계역 앞 도로에 싱크홀 같은 구멍이 생겼어요", 37.6607, 127.0735],
  ["관악구 신림역 4번 출구 앞 인도 보도블록이 파손됐어요", 37.4842, 126.9297],
  ["은평구 연신내역 사거리 도로 포장이 움푹 패였어요", 37.6190, 126.9210],
];

function message(id, [text, lat, lon]) {
  return { id, channel: "kakaotalk_bridge", text, author: `citizen-${id}`, location: { lat, lon } };
}

test("a clerk signs in, sees the snapshot and live reports, and misses nothing across a cut", { timeout: 300000 }, async () => {
  const { broker, topics, logDir } = browserRun(ARTIFACTS, "dashboard-test");
  const { dedup, router } = startPipeline(broker, topics, logDir);
  const port = await freePort();
  let gateway = startGateway("gateway", broker, topics, port, logDir);
  const ingestPort = await freePort();
  // A second, ingest-only gateway: reports go on arriving while the first one is down.
  const ingest = startGateway("ingest", broker, topics, ingestPort, logDir,
    ["--subscribe.enabled=false"]);
  const profile = mkdtempSync(path.join(tmpdir(), "dashboard-chromium-"));
  let browser;
  const run = Date.now().toString(36);
  try {
    const up = (p) => async () => { try { return (await fetch(`http://127.0.0.1:${p}/readyz`)).status === 200; } catch { return false; } };
    await waitFor("the gateway", up(port));
    await waitFor("the ingest gateway", up(ingestPort));
    for (const [i, place] of PLACES.entries()) await post(port, message(`${run}-seed-${i}`, place));
    // The snapshot holds them once dedup has made them cases (and the gateway read them).
    const token = mintToken("roads");
    await waitFor("the seeded cases", async () => {
      const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const open = m.split("\n").find((l) => l.startsWith("gateway_subscribe_open_cases "));
      return open && Number(open.split(" ")[1]) >= PLACES.length;
    }, 90000);

    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS,
      viewport: { width: 1400, height: 900 } });
    const page = browser.pages()[0] || await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("requestfailed", (r) => { if (!r.url().includes("/v1/subscribe")) problems.push(`failed: ${r.url()}`); });
    page.on("request", (r) => { if (!r.url().startsWith(`http://127.0.0.1:${port}`) && !r.url().startsWith("ws://127.0.0.1")) problems.push(`outside: ${r.url()}`); });

    await page.goto(`http://127.0.0.1:${port}/dashboard/`);
    await page.fill("#token", token);
    await page.click("#signin-form button[type=submit]");
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 60000 });
    for (const [text] of PLACES) await page.waitForSelector(`.row .case-title:text("${text}")`, { timeout: 30000 });
    assert.equal(await page.locator("#map-svg path.gu").count(), 25, "the 25 gu are drawn");

    // Each case's statutory clock (a complaint: 7 working days), from its record.
    const clocks = await page.locator(".row").evaluateAll((rows) => rows.map((r) => r.dataset.clock));
    assert.ok(clocks.length >= PLACES.length && clocks.every((c) => c === "running"), `clocks: ${clocks}`);
    assert.match(await page.locator(".row .case-due").first().textContent(), /기한 내 · 처리기한/);
    // "About to be late" first: late, then due soon, then running; answered ones last.
    const sorted = await page.evaluate(async () => {
      const { byDue } = await import("/dashboard/clock.js");
      const now = Date.parse("2026-12-02T00:00:00Z");
      const c = (id, due, answered = null) => ({ id, last_seen: "2026-11-30T00:00:00Z",
        service_level: { due_at: due, answered_at: answered, on_time: answered ? true : null } });
      return [c("answered", "2026-12-01T09:00:00Z", "2026-11-30T01:00:00Z"), c("running", "2026-12-09T09:00:00Z"),
        c("none", null), c("late", "2026-12-01T09:00:00Z"), c("soon", "2026-12-02T09:00:00Z")]
        .sort((a, b) => byDue(a, b, now)).map((x) => x.id);
    });
    assert.deepEqual(sorted.slice(0, 3), ["late", "soon", "running"]);
    await page.selectOption("#sort", "due");
    assert.equal(await page.locator(".row").count(), clocks.length, "sorting keeps every case");
    await page.selectOption("#sort", "latest");

    // A new report through the real pipeline appears live.
    await post(port, message(`${run}-live`, LIVE));
    await page.waitForSelector(`.row .case-title:text("${LIVE[0]}")`, { timeout: 60000 });
    await page.click(`.row .case-title:text("${LIVE[0]}")`);
    await page.waitForSelector(`#detail-reports .report-text:text("${LIVE[0]}")`, { timeout: 30000 });
    assert.match(await page.textContent('#detail-facts dd[data-fact="due_at"]'), /근무일 7일/);
    assert.equal(await page.textContent('#detail-facts dd[data-fact="answered_at"]'), "—");
    // Divisions and channels by their names, not their ids.
    assert.match(await page.textContent('#detail-facts dd[data-fact="divisions"]'), /도로/);
    assert.equal(await page.textContent('#detail-facts dd[data-fact="channels"]'), "카카오톡");
    assert.match(await page.textContent(`.row.selected .case-meta`), /카카오톡/);
    assert.equal(await page.locator("#division option:checked").textContent(), "도로");

    // The clerk answers the case from its detail, and the status comes back live:
    // gateway (POST /v1/cases/{id}/updates) -> feedback.responses -> dedup folds it
    // into the case -> feedback.cases -> this page.
    await page.waitForSelector('#detail-actions [data-standing="case_status"]:text("접수")');
    await page.selectOption("#action-status", "in_progress");
    assert.match(await page.inputValue("#action-answer"), /처리 중입니다/, "the status's answer template");
    const answerText = "잠실역 8번 출구 맨홀 뚜껑을 오늘 고정하겠습니다.";
    await page.fill("#action-answer", answerText);
    const posted = page.waitForRequest((r) => r.url().endsWith("/updates") && r.method() === "POST");
    await page.click("#action-form button[type=submit]");
    const request = await posted;
    assert.match(request.headers()["idempotency-key"] || "", /^dash-[0-9a-f]{32}$/, "an Idempotency-Key");
    assert.equal(JSON.parse(request.postData()).answer.public, undefined, "not published unless the clerk says so");
    await page.waitForSelector('#action-result[data-outcome="accepted"]', { timeout: 30000 });
    await page.waitForSelector('#detail-actions [data-standing="case_status"]:text("처리 중")', { timeout: 60000 });
    await page.waitForSelector(`#detail-actions [data-standing="latest_answer"]:text("${answerText}")`);
    assert.equal(await page.textContent('#detail-actions [data-standing="open311"]'), "open");

    const before = await page.evaluate(() => window.dashboard.state.events.length);

    // The cut: the gateway goes away; reports keep arriving through the other one.
    await gateway.stop();
    await page.waitForSelector('#connection[data-state="reconnecting"]', { timeout: 30000 });
    for (const [i, place] of WHILE_AWAY.entries()) await post(ingestPort, message(`${run}-away-${i}`, place));
    // Routed to roads while the page is cut off: 3 seeds, 1 live, 3 while away.
    const roads = topics.names.divisionPrefix + "roads";
    await waitFor("the reports to be routed", () => endOffsets(broker, roads) >= PLACES.length + 1 + WHILE_AWAY.length, 90000);
    gateway = startGateway("gateway-again", broker, topics, port, logDir);
    await page.waitForSelector('#connection[data-state="resumed"]', { timeout: 90000 });
    for (const [text] of WHILE_AWAY) await page.waitForSelector(`.row.missed .case-title:text("${text}")`, { timeout: 60000 });

    const events = await page.evaluate(() => window.dashboard.state.events);
    const keys = events.slice(before).filter((e) => e.type === "message").map((e) => e.key);
    assert.equal(new Set(keys).size, keys.length, `a report applied twice: ${keys}`);
    const allMessages = events.filter((e) => e.type === "message").map((e) => e.key);
    assert.equal(new Set(allMessages).size, allMessages.length, "no report applied twice over the whole run");
    assert.ok(keys.length >= WHILE_AWAY.length, `missed reports replayed: ${keys.length}`);
    const missedText = await page.textContent("#missed");
    assert.match(missedText, /\d/);

    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-detail-ko.png") });
    await page.click("#detail-close");
    await page.click("#language");
    await page.waitForSelector('#connection:text("Resumed")');
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png") });
    assert.deepEqual(problems, [], "the page loaded nothing from elsewhere and threw nothing");

    // 5,000 open cases: one render stays well under a frame budget's worth of
    // user patience, and only the visible rows exist in the page.
    const cost = await page.evaluate(() => {
      const { state } = window.dashboard;
      const gu = ["Mapo-gu", "Jongno-gu", "Gangnam-gu", "Songpa-gu", "Nowon-gu"];
      for (let i = 0; i < 5000; i++) {
        state.cases.set(`case-synthetic-${i}`, { id: `case-synthetic-${i}`, title: `synthetic report ${i}`,
          latest_text: "", kind: "complaint", urgency: i % 50 ? "normal" : "high", report_count: 1 + (i % 7),
          district: gu[i % 5], divisions: ["roads"], channels: ["web"], status: "open",
          location: { lat: 37.45 + (i % 100) / 500, lon: 126.85 + (i % 97) / 300 },
          first_seen: "2026-12-01T00:00:00.000Z", last_seen: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString() });
      }
      const t0 = performance.now();
      window.dashboard.render();
      const first = performance.now() - t0;
      document.getElementById("list").scrollTop = 150000;
      document.getElementById("list").dispatchEvent(new Event("scroll"));
      return { first, rows: document.querySelectorAll("#list .row").length };
    });
    assert.ok(cost.first < 1000, `rendering 5,000 cases took ${cost.first} ms`);
    assert.ok(cost.rows < 80, `${cost.rows} rows in the page`);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-5000.png") });
    console.log(`5,000 open cases: render ${cost.first.toFixed(0)} ms, ${cost.rows} rows in the page`);
  } catch (e) {
    if (browser) await browser.pages()[0].screenshot({ path: path.join(ARTIFACTS, "dashboard-failure.png") }).catch(() => {});
    throw e;
  } finally {
    if (browser) await browser.close();
    for (const p of [gateway, ingest, dedup, router]) await p.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
