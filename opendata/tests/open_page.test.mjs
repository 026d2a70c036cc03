// The public open-data page in a real browser (Debian's chromium driven by
// playwright-core) against the real pipeline (gateway, dedup and router on the
// test broker, as the dashboard's test starts them): citizens report, a
// division answers one case publicly through the answers API, and /open/ shows
// the district table and map, the division's median time to first answer, the
// answered case with its public answer, a withheld (k-anonymous) district, in
// Korean and then English, loading nothing from anywhere else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { CHROMIUM, FLAGS, REPO, browserRun, freePort, latestCases, mintToken, post, startGateway, startPipeline, waitFor } from "../../dashboard/tests/pipeline.mjs";

// playwright-core is installed once, in dashboard/node_modules (script/bootstrap).
const { chromium } = createRequire(new URL("../../dashboard/package.json", import.meta.url))("playwright-core");
const ARTIFACTS = process.env.OPEN_PAGE_ARTIFACTS || path.join(REPO, "build/open-page-test");
const ANSWER = "세종대로 포트홀을 보수했습니다. 신고해 주셔서 감사합니다.";
// Two citizens report one pothole (k = 2: shown); one reports a streetlight in Nowon-gu (withheld).
const REPORTS = [
  ["세종대로 광화문역 2번 출구 앞 도로에 포트홀이 크게 생겼어요", 37.5716, 126.9768, "citizen-a"],
  ["광화문역 2번 출구 앞 세종대로 도로 포트홀 위험해요", 37.5717, 126.9769, "citizen-b"],
  ["노원구 상계역 앞 도로에 싱크홀 같은 구멍이 생겼어요", 37.6607, 127.0735, "citizen-c"],
];

test("the public page shows districts, divisions and answered cases, in Korean and English", { timeout: 300000 }, async () => {
  const { broker, topics, logDir } = browserRun(ARTIFACTS, "open-page-test");
  const { dedup, router } = startPipeline(broker, topics, logDir);
  const port = await freePort();
  const gateway = startGateway("gateway", broker, topics, port, logDir,
    [`--open.page_dir=${path.join(REPO, "opendata")}`, "--open.k=2", "--open.rate_per_second=1000", "--open.burst=1000"]);
  const profile = mkdtempSync(path.join(tmpdir(), "open-page-chromium-"));
  const base = `http://127.0.0.1:${port}`;
  const run = Date.now().toString(36);
  let browser;
  try {
    await waitFor("the gateway", async () => { try { return (await fetch(`${base}/readyz`)).status === 200; } catch { return false; } });
    for (const [i, [text, lat, lon, author]] of REPORTS.entries()) {
      await post(port, { id: `${run}-open-${i}`, channel: "kakaotalk_bridge", text, author, location: { lat, lon } });
    }
    const api = async (p) => (await fetch(base + p)).json();
    await waitFor("the pothole case in the open API", async () =>
      (await api("/open/v1/cases")).items.some((c) => c.report_count === 2), 90000);
    const id = await waitFor("the case on feedback.cases",
      () => latestCases(broker, topics.names.cases).find((c) => c.report_count === 2)?.id);
    const res = await fetch(`${base}/v1/cases/${id}/updates`, { method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${mintToken("roads")}`, "Idempotency-Key": `open-${run}` },
      body: JSON.stringify({ status: "fixed", answer: { text: ANSWER, public: true } }) });
    assert.equal(res.status, 202, await res.text());
    await waitFor("the answer in the open API", async () => (await api("/open/v1/cases?answered=true")).total === 1, 60000);

    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS,
      viewport: { width: 1300, height: 1000 } });
    const page = browser.pages()[0] || await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
    page.on("request", (r) => { if (!r.url().startsWith(base)) problems.push(`outside: ${r.url()}`); });
    await page.goto(`${base}/open/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30000 });

    assert.equal(await page.textContent("h1"), "민원 처리 현황 공개");
    const jongno = page.locator('#districts tr[data-district="Jongno-gu"]');
    assert.match(await jongno.textContent(), /종로구.*0.*100%/);  // answered, on time; none open now
    const nowon = page.locator('#districts tr[data-district="Nowon-gu"]');
    assert.equal(await nowon.getAttribute("data-suppressed"), "true");
    assert.match(await nowon.textContent(), /비공개/);
    const roads = page.locator('#divisions tr[data-division="roads"]');
    // Both cases are roads' (the sinkhole too): three citizens, one answered on time.
    assert.match(await roads.textContent(), /^roads2[\d.]+(시간|일)100%$/);
    const recent = page.locator("#recent li");
    assert.equal(await recent.count(), 1);
    assert.match(await recent.first().textContent(), new RegExp(ANSWER.slice(0, 12)));
    assert.ok(await page.locator("#map-svg path.gu").count() >= 25, "the 25 gu are drawn");

    await page.click("#language");
    assert.equal(await page.textContent("h1"), "Seoul open feedback data");
    assert.match(await nowon.textContent(), /withheld/);
    assert.match(await recent.first().textContent(), /Fixed · roads · Jongno-gu/);
    await page.screenshot({ path: path.join(ARTIFACTS, "open-page.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    if (browser) await browser.close();
    for (const p of [gateway, dedup, router]) await p.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
