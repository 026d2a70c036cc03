// The case detail's standing in a real browser (Debian's chromium driven by
// playwright-core) against the real gateway and dedup on the test broker: an
// idea gathers support through POST /v1/cases/{id}/support, the division
// answers it, and the answers service's delivery summary arrives (written here
// as the answers service writes it; the delivery itself has its own tests).
// The page shows the support count against the milestones dedup is configured
// with, and how the answer reached the citizens per channel, in Korean and
// English, and nothing personal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS, ISSUER, REPO, SECRET, browserRun, freePort, latestCases, mintToken, post, startGateway, startPipeline, waitFor } from "./pipeline.mjs";

const ARTIFACTS = process.env.DASHBOARD_ARTIFACTS || path.join(REPO, "build/dashboard-test");
const IDEA = "청계천 산책로 입구에 공공 자전거 보관대를 설치해 주세요. 제안합니다";
const SUPPORTERS = ["minsu.kim@example.com", "jiyoung.lee@example.com", "seoyeon.park@example.com"];

const b64url = (b) => Buffer.from(b).toString("base64url");
// The website's token (a bridge granting channel web), signed like the gateway's own.
function websiteToken() {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid: "local" }));
  const body = b64url(JSON.stringify({ iss: ISSUER, sub: "seoul-website", role: "bridge", channels: ["web"],
    iat: now, exp: now + 600 }));
  return `${head}.${body}.${b64url(createHmac("sha256", SECRET).update(`${head}.${body}`).digest())}`;
}

function produce(broker, topic, key, value) {
  execFileSync("/usr/bin/python3", ["-c", `
import sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True})
p.produce(sys.argv[2], key=sys.argv[3], value=sys.argv[4])
assert p.flush(30) == 0
`, broker, topic, key, value], { stdio: "inherit" });
}

async function call(port, method, urlPath, body, headers) {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method, body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test("a case's detail shows support against the milestones and the answer's reach per channel", { timeout: 300000 }, async () => {
  const { broker, topics, logDir } = browserRun(ARTIFACTS, "dashboard-standing");
  const { dedup, router } = startPipeline(broker, topics, logDir,
    { dedup: ["--dedup.support_thresholds=2:department_answers,100:public_forum,1000:mayor_answers"] });
  const port = await freePort();
  const gateway = startGateway("gateway", broker, topics, port, logDir);
  const profile = mkdtempSync(path.join(tmpdir(), "dashboard-chromium-"));
  let browser;
  try {
    await waitFor("the gateway", async () => {
      try { return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200; } catch { return false; }
    });
    await post(port, { id: `idea-${randomBytes(4).toString("hex")}`, channel: "kakaotalk_bridge", text: IDEA,
      author: "citizen-idea" });
    const idea = await waitFor("the idea's case", () => latestCases(broker, topics.names.cases).find((c) => c.kind === "idea"), 90000);
    assert.deepEqual(idea.support.milestones.map((m) => m.threshold), [2, 100, 1000], "dedup's milestones on the case");
    const division = idea.divisions[0];

    // Three citizens back it on the website (one twice), the division answers it.
    const site = { Authorization: `Bearer ${websiteToken()}` };
    for (const who of [...SUPPORTERS, SUPPORTERS[0]]) {
      const r = await call(port, "POST", `/v1/cases/${idea.id}/support`, { supporter: who }, site);
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    const token = mintToken(division);
    const updateId = await waitFor("the gateway to know the case", async () => {
      const r = await call(port, "POST", `/v1/cases/${idea.id}/updates`,
        { status: "answered", answer: { text: "보관대 설치를 검토하겠습니다.", language: "ko" } },
        { Authorization: `Bearer ${token}`, "Idempotency-Key": "standing-answer-1" });
      if (r.status === 202) return r.body.update_id;
      assert.ok([404, 503].includes(r.status), JSON.stringify(r.body));  // dedup or the directory not there yet
      return null;
    }, 90000);
    await waitFor("the update on the case", () => latestCases(broker, topics.names.cases)
      .find((c) => c.id === idea.id && c.lifecycle.history.some((h) => h.update_id === updateId)), 60000);
    // How the answer reached the 50 citizens, as the answers service sums it up.
    produce(broker, topics.names.deliveries, idea.id, JSON.stringify({
      version: 1, type: "summary", update_id: updateId, case_id: idea.id, locality: idea.district || "citywide",
      at: new Date().toISOString(), recipients: 50, complete: true, outcomes: { delivered: 48, window_expired: 2 },
      by_channel: { line: { delivered: 20 }, telegram: { delivered: 10 }, whatsapp: { delivered: 18, window_expired: 2 } } }));

    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS,
      viewport: { width: 1400, height: 900 } });
    const page = browser.pages()[0] || await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/dashboard/`);
    await page.fill("#token", token);
    await page.click("#signin-form button[type=submit]");
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 60000 });
    await page.click(`.row .case-title:text("${IDEA.slice(0, 20)}")`);
    const standing = (k) => `#detail-actions [data-standing="${k}"]`;
    await page.waitForSelector(`${standing("deliveries")}:text("48")`, { timeout: 60000 });
    assert.equal(await page.textContent(standing("support")), "3 / 100명 · 2명 부서 답변 ✓; 100명 공론장; 1,000명 시장 답변");
    assert.equal(await page.textContent(standing("deliveries")),
      "시민 50명 중 48명에게 전달; WhatsApp 2명 24시간 응답 가능 시간 경과");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-standing-ko.png") });

    await page.click("#language");
    await page.waitForSelector(`${standing("support")}:text("forum at 100")`);
    assert.equal(await page.textContent(standing("support")), "3 / 100 · department answers at 2 ✓; forum at 100; mayor at 1,000");
    assert.equal(await page.textContent(standing("deliveries")),
      "answered 48 of 50 citizens; 2 WhatsApp outside the 24-hour window");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-standing-en.png") });

    // Nothing personal on the page: the supporters' accounts never reach it.
    const html = await page.content();
    for (const who of SUPPORTERS) assert.ok(!html.includes(who), `${who} is on the page`);
    assert.deepEqual(problems, [], "the page threw nothing");
  } catch (e) {
    if (browser) await browser.pages()[0].screenshot({ path: path.join(ARTIFACTS, "dashboard-standing-failure.png") }).catch(() => {});
    throw e;
  } finally {
    if (browser) await browser.close();
    for (const p of [gateway, dedup, router]) await p.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});
