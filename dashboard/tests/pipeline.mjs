// The real pipeline for the browser test: private topics on the test broker,
// dedup and router on them, and a gateway (ingest + subscribe + the page).
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";

export const REPO = path.resolve(new URL("../..", import.meta.url).pathname);
export const SECRET = "dashboard-test-secret-0123456789abcdef";
export const ISSUER = "civic-dashboard-test";
const DIVISIONS = ["transport", "roads", "environment", "sanitation", "water", "housing", "welfare",
  "safety", "parks", "culture", "economy", "health", "admin", "triage"];

export function bootstrap() {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return process.env.KAFKA_BOOTSTRAP_SERVERS;
  const file = process.env.CIVIC_TEST_BOOTSTRAP_FILE;
  if (!file) throw new Error("no Kafka broker: run through ctest (kafka fixture) or script/test");
  return readFileSync(file, "utf8").trim();
}

// Debian's chromium, as every browser test launches it.
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

// What a browser test starts with: chromium present, its artifacts folder, the broker, fresh
// topics, and a log folder named `${name}-…`.
export function browserRun(artifacts, name) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: script/bootstrap installs Debian's chromium`);
  mkdirSync(artifacts, { recursive: true });
  const broker = bootstrap();
  return { broker, topics: new Topics(broker), logDir: mkdtempSync(path.join(tmpdir(), `${name}-`)) };
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export class Topics {
  constructor(broker) {
    this.prefix = "dash-" + randomBytes(5).toString("hex") + ".";
    const n = (name) => this.prefix + name;
    this.names = { ingested: n("ingested"), repartition: n("repartition"), changelog: n("changelog"),
      unique: n("unique"), cases: n("cases"), deadletter: n("deadletter"), divisionPrefix: n("division."),
      responses: n("responses"), deliveries: n("deliveries") };
    const spec = [[this.names.ingested, 2, {}], [this.names.repartition, 2, {}],
      [this.names.changelog, 2, { "cleanup.policy": "compact" }], [this.names.unique, 2, {}],
      [this.names.cases, 2, { "cleanup.policy": "compact" }], [this.names.deadletter, 1, {}],
      [this.names.responses, 2, {}], [this.names.deliveries, 1, {}],
      ...DIVISIONS.map((d) => [this.names.divisionPrefix + d, 2, {}])];
    execFileSync("/usr/bin/python3", ["-c", `
import json, sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
fs = admin.create_topics([NewTopic(n, p, 1, config=c) for n, p, c in json.loads(sys.argv[2])])
for f in fs.values(): f.result(timeout=60)
`, broker, JSON.stringify(spec)], { stdio: "inherit" });
  }
}

// Every process started, so that a wait fails at once, with its log, when one died.
const started = [];

export class Process {
  constructor(name, binary, args, logDir, env = {}) {
    this.name = name;
    this.binary = binary;
    this.args = args;
    this.logDir = logDir;
    this.env = env;
    this.logPath = path.join(logDir, `${name}.log`);
  }
  start() {
    const log = openSync(this.logPath, "a");
    // From the repository, as script/server runs them: the default rules and model paths are relative.
    this.child = spawn(this.binary, this.args,
      { cwd: REPO, stdio: ["ignore", log, log], env: { ...process.env, ...this.env } });
    this.exited = new Promise((resolve) => this.child.on("exit", resolve));
    this.stopping = false;
    started.push(this);
    return this;
  }
  async stop(signal = "SIGTERM") {
    if (!this.child || this.child.exitCode !== null) return;
    this.stopping = true;
    this.child.kill(signal);
    await this.exited;
  }
  log() { try { return readFileSync(this.logPath, "utf8"); } catch { return ""; } }
}

export function binary(envName, fallback) {
  return process.env[envName] || path.join(REPO, "build/dev", fallback);
}

// extra: more arguments per service ({ dedup: [...], router: [...] }).
export function startPipeline(broker, topics, logDir, extra = {}) {
  mkdirSync(logDir, { recursive: true });
  const t = topics.names;
  const kafka = `--kafka.bootstrap.servers=${broker}`;
  const rules = path.join(REPO, "deploy/config/rules/seoul.yaml");
  const dedup = new Process("dedup", binary("DEDUP_BINARY", "consumers/dedup/dedup"), [kafka,
    `--dedup.rules=${rules}`, `--dedup.topic.input=${t.ingested}`, `--dedup.topic.repartition=${t.repartition}`,
    `--dedup.topic.changelog=${t.changelog}`, `--dedup.topic.unique=${t.unique}`, `--dedup.topic.cases=${t.cases}`,
    `--dedup.topic.deadletter=${t.deadletter}`, `--dedup.group_id=${topics.prefix}dedup`,
    `--dedup.transactional_id=${topics.prefix}dedup-0`, "--dedup.max_batch_wait_ms=20",
    `--dedup.topic.responses=${t.responses}`, `--dedup.topic.deliveries=${t.deliveries}`,
    // The real pipeline, sentence model included (it runs from the repository); no fixed operations port.
    "--dedup.ops_listen=127.0.0.1:0", ...(extra.dedup || [])], logDir).start();
  const router = new Process("router", binary("ROUTER_BINARY", "consumers/router/router"), [kafka,
    `--router.rules=${rules}`, `--router.topic.input=${t.unique}`, `--router.topic.division_prefix=${t.divisionPrefix}`,
    `--router.topic.deadletter=${t.deadletter}`, `--router.group_id=${topics.prefix}router`,
    `--router.transactional_id=${topics.prefix}router-0`, "--router.max_batch_wait_ms=20",
    "--router.ops_listen=127.0.0.1:0", ...(extra.router || [])], logDir).start();
  return { dedup, router };
}

export function gatewayArgs(broker, topics, port, extra = []) {
  return [`--kafka.bootstrap.servers=${broker}`, `--gateway.listen=127.0.0.1:${port}`,
    `--gateway.topic=${topics.names.ingested}`, `--subscribe.topic.division_prefix=${topics.names.divisionPrefix}`,
    `--subscribe.topic.cases=${topics.names.cases}`, "--subscribe.metadata_refresh_ms=500",
    `--gateway.answers.cases_topic=${topics.names.cases}`, `--gateway.answers.responses_topic=${topics.names.responses}`,
    `--auth.jwt.hs256_secret=${SECRET}`, `--auth.jwt.issuer=${ISSUER}`,
    `--dashboard.dir=${path.join(REPO, "dashboard")}`,
    `--dashboard.districts_file=${path.join(REPO, "deploy/config/districts/seoul-gu.geojson")}`, ...extra];
}

// A bridge credential for the test's messages (ingest takes none without one).
const bridge = (() => {
  const out = execFileSync(binary("GATEWAY_BINARY", "gateway/gateway"), ["bridge-key", "dashboard-test", "*"],
    { encoding: "utf8" });
  return { key: out.match(/^key:\s*(\S+)/m)[1], entry: out.match(/^entry:\s*(\S+)/m)[1] };
})();

export function startGateway(name, broker, topics, port, logDir, extra = []) {
  return new Process(name, binary("GATEWAY_BINARY", "gateway/gateway"), gatewayArgs(broker, topics, port, extra),
    logDir, { GATEWAY_AUTHOR_KEY: "dashboard-test-author-key-0123", AUTH_BRIDGE_KEYS: bridge.entry }).start();
}

export function mintToken(divisions) {
  return execFileSync(binary("GATEWAY_BINARY", "gateway/gateway"), ["token", "--sub=clerk-kim",
    `--divisions=${divisions}`, `--auth.jwt.hs256_secret=${SECRET}`, `--auth.jwt.issuer=${ISSUER}`, "--ttl_s=3600"],
  { encoding: "utf8" }).trim();
}

export async function waitFor(what, condition, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = started.find((p) => p.child.exitCode !== null && !p.stopping);
    if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}) while waiting for ${what}: ${dead.log().slice(-1500)}`);
    const v = await condition();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function post(port, message) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${bridge.key}` },
    body: JSON.stringify(message) });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`POST ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

// Committed records on a topic, counted by reading it (offsets also count
// transaction markers).
export function endOffsets(broker, topic) {
  const out = execFileSync("/usr/bin/python3", ["-c", `
import sys, uuid
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "dash-probe-" + uuid.uuid4().hex,
              "isolation.level": "read_committed", "auto.offset.reset": "earliest",
              "enable.partition.eof": True, "enable.auto.commit": False})
c.subscribe([sys.argv[2]])
parts = len(c.list_topics(sys.argv[2], timeout=10).topics[sys.argv[2]].partitions)
n, eof = 0, set()
for _ in range(200):
    for m in c.consume(500, timeout=0.5):
        if m.error():
            eof.add(m.partition())
        else:
            n += 1
    if len(eof) >= parts:
        break
print(n)
c.close()
`, broker, topic], { encoding: "utf8" });
  return Number(out.trim());
}

// The latest value of every case on the cases topic, read_committed.
export function latestCases(broker, topic) {
  const out = execFileSync("/usr/bin/python3", ["-c", `
import json, sys, uuid
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "dash-cases-" + uuid.uuid4().hex,
              "isolation.level": "read_committed", "enable.partition.eof": True, "enable.auto.commit": False})
parts = c.list_topics(sys.argv[2], timeout=10).topics[sys.argv[2]].partitions
c.assign([TopicPartition(sys.argv[2], p, 0) for p in parts])
latest, eof = {}, set()
for _ in range(120):
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        eof.add(m.partition())
        if len(eof) == len(parts):
            break
        continue
    latest[m.key().decode()] = json.loads(m.value()) if m.value() else None
print(json.dumps([v for v in latest.values() if v]))
c.close()
`, broker, topic], { encoding: "utf8" });
  return JSON.parse(out);
}
