"""Fixtures for the scale-out tests: the three-broker KRaft cluster CTest starts
(tests/support/kafka-fixture STATE_DIR 3: replication factor 3, min.insync.replicas
2), a private set of topics per test, and gateway, dedup and router processes, each
on free ports with its operations endpoints."""

import hashlib
import json
import os
import pathlib
import signal
import socket
import sys
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests/support"))
from topic_reader import as_tuple, fresh_consumer  # noqa: E402

KAFKA = REPO / "script/kafka"
AUTHOR_KEY = "scale-test-author-key-0123456789"
# The bridge the sender posts as (auth.bridge_keys holds only the key's SHA-256).
BRIDGE_KEY = "cgk_scale-test-bridge-key-000000000000000000"
BRIDGE_ENTRY = f"scale-test:{hashlib.sha256(BRIDGE_KEY.encode()).hexdigest()}:*"
DIVISIONS = ["transport", "roads", "environment", "sanitation", "water", "housing", "welfare",
             "safety", "parks", "culture", "economy", "health", "admin", "triage"]


def cluster_state():
    path = os.environ.get("CIVIC_TEST_CLUSTER_STATE")
    if not path or not (pathlib.Path(path) / "bootstrap").exists():
        pytest.fail("no Kafka cluster: run through ctest (kafka_cluster fixture) or script/test")
    return pathlib.Path(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what, timeout, interval=0.2, check=None):
    """Polls condition() until it is true; fails naming `what` after `timeout` seconds.
    check() runs at every round and may fail the test early (a process died)."""
    deadline = time.monotonic() + timeout
    while True:
        if check:
            check()
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Topics:
    """The pipeline's topics under a private prefix, partitioned as in
    deploy/topics.manifest; replication from the cluster's defaults (3, min ISR 2)."""

    LAYOUT = {"ingested": 6, "unique": 6, "cases": 6, "deadletter": 3, "repartition": 6,
              "changelog": 6, "responses": 3, "deliveries": 3,
              **{f"division.{d}": 3 for d in DIVISIONS}}
    # What one dedup instance holds when it is alone: ingested, repartition, and the
    # answer loop's responses and deliveries, which it folds into the cases.
    DEDUP_PARTITIONS = 6 + 6 + 3 + 3
    COMPACTED = {"cases", "changelog"}

    def __init__(self, bootstrap):
        self.prefix = "so-" + uuid.uuid4().hex[:8] + "."
        admin = AdminClient({"bootstrap.servers": bootstrap})
        new = [NewTopic(self.prefix + name, partitions,
                        config={"cleanup.policy": "compact"} if name in self.COMPACTED else {})
               for name, partitions in self.LAYOUT.items()]
        for future in admin.create_topics(new, operation_timeout=60).values():
            future.result(timeout=90)

    def __getattr__(self, name):
        return self.prefix + name

    def division(self, d):
        return f"{self.prefix}division.{d}"

    def all_divisions(self):
        return [self.division(d) for d in DIVISIONS]


class Process:
    """A service process logging to a file; its ops endpoints on `ops_port`."""

    def __init__(self, name, args, log_dir, ops_port, env=None):
        self.name = name
        self.args, self.env = args, env
        self.ops_port = ops_port
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO,
                                        env=dict(os.environ, **(env or {})))
        self.last_metrics = {}

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ops_port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            return None, ""

    def metrics(self):
        """{sample name with labels: value}; the last good scrape if this one failed."""
        status, text = self.get("/metrics")
        if status == 200:
            samples = {}
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    name, value = line.rsplit(" ", 1)
                    samples[name] = float(value)
            self.last_metrics = samples
        return self.last_metrics

    def metric(self, prefix):
        return sum(v for k, v in self.metrics().items() if k.startswith(prefix))

    def ready(self):
        return self.get("/readyz")[0] == 200

    def alive(self):
        return self.process.poll() is None

    def require_alive(self):
        if not self.alive():
            pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")

    def log_tail(self, chars=3000):
        return self.log_path.read_text(errors="replace")[-chars:]

    def log_events(self, event):
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == event:
                found.append(entry)
        return found

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout=90):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()


class Pipeline:
    """Starts gateways, dedup and router instances on one topic set."""

    def __init__(self, bootstrap, topics, log_dir):
        self.bootstrap = bootstrap
        self.topics = topics
        self.log_dir = log_dir
        self.started = []
        self.consumer_kafka = list(self.FAST_FAILOVER)
        self.restarts = []

    def _start(self, name, args, ops_port, env=None):
        p = Process(name, args, self.log_dir, ops_port, env)
        self.started.append(p)
        return p

    def gateway(self, name):
        port = free_port()
        p = self._start(name, [os.environ.get("GATEWAY_BINARY", str(REPO / "build/dev/gateway/gateway")),
                               f"--gateway.listen=127.0.0.1:{port}",
                               f"--kafka.bootstrap.servers={self.bootstrap}",
                               f"--gateway.topic={self.topics.ingested}",
                               f"--auth.bridge_keys={BRIDGE_ENTRY}"],
                        port, env={"GATEWAY_AUTHOR_KEY": AUTHOR_KEY})
        p.url = f"http://127.0.0.1:{port}"
        return p

    # Short enough that a killed instance's partitions and open transaction are
    # given up within seconds (the broker's minimum session timeout is 6 s).
    FAST_FAILOVER = ["--kafka.session.timeout.ms=6000", "--kafka.heartbeat.interval.ms=1000",
                     "--kafka.transaction.timeout.ms=10000"]

    def restart_exited(self, processes):
        """What Kubernetes does for a container that exited: start it again with the
        same name (so the same transactional and membership id) and arguments, on a
        new ops port. Returns the list with the restarted processes in place."""
        live = []
        for p in processes:
            if not p.alive():
                p.log.close()
                self.restarts.append((p.name, p.process.returncode))
                port = free_port()
                args = [f"--{a.split('=')[0][2:]}=127.0.0.1:{port}" if a.split("=")[0].endswith(".ops_listen")
                        else a for a in p.args]
                p = self._start(p.name, args, port, p.env)
            live.append(p)
        return live

    def _consumer(self, service, name, flags):
        """A dedup or router process: the test's group, its own transactional id, an ops port,
        and no sentence model (membership and failover are under test, not the model)."""
        port = free_port()
        t = self.topics
        binary = os.environ.get(f"{service.upper()}_BINARY", str(REPO / f"build/dev/consumers/{service}/{service}"))
        return self._start(name, [binary, f"--kafka.bootstrap.servers={self.bootstrap}",
                                  f"--{service}.group_id={t.prefix}{service}",
                                  f"--{service}.transactional_id={t.prefix}{name}", *flags,
                                  f"--{service}.ops_listen=127.0.0.1:{port}", f"--{service}.stats_interval_s=5",
                                  f"--{service}.model=", *self.consumer_kafka], port)

    def dedup(self, name):
        t = self.topics
        return self._consumer("dedup", name, [
            f"--dedup.topic.input={t.ingested}", f"--dedup.topic.repartition={t.repartition}",
            f"--dedup.topic.changelog={t.changelog}", f"--dedup.topic.unique={t.unique}",
            f"--dedup.topic.cases={t.cases}", f"--dedup.topic.deadletter={t.deadletter}",
            f"--dedup.topic.responses={t.responses}", f"--dedup.topic.deliveries={t.deliveries}"])

    def router(self, name):
        t = self.topics
        return self._consumer("router", name, [
            f"--router.topic.input={t.unique}", f"--router.topic.division_prefix={t.prefix}division.",
            f"--router.topic.deadletter={t.deadletter}"])

    def check_alive(self, *processes):
        for p in processes:
            p.require_alive()

    def stop_all(self):
        for p in self.started:
            if p.alive():
                p.process.send_signal(signal.SIGKILL)
                p.process.wait(timeout=30)
            if not p.log.closed:
                p.log.close()


@pytest.fixture
def cluster():
    """The shared cluster, every node running: a node an earlier test left killed
    (it failed before restarting it) is started again first."""
    state = cluster_state()
    subprocess.run([KAFKA, "start", "--dir", str(state / "kafka")], check=True, capture_output=True,
                   timeout=240)
    return {"bootstrap": (state / "bootstrap").read_text().strip(), "data_dir": state / "kafka"}


@pytest.fixture
def pipeline(cluster, tmp_path):
    topics = Topics(cluster["bootstrap"])
    p = Pipeline(cluster["bootstrap"], topics, tmp_path)
    yield p
    p.stop_all()


# Messages: each names a gu and a problem, so that they spread over the locality
# keys (dedup's partitions) and divisions, and reports of one problem in one gu
# become one case. No author: every message is a distinct citizen's report.
GU = ["Jongno-gu", "Jung-gu", "Yongsan-gu", "Seongdong-gu", "Gwangjin-gu", "Dongdaemun-gu",
      "Jungnang-gu", "Seongbuk-gu", "Gangbuk-gu", "Dobong-gu", "Nowon-gu", "Eunpyeong-gu",
      "Seodaemun-gu", "Mapo-gu", "Yangcheon-gu", "Gangseo-gu", "Guro-gu", "Geumcheon-gu",
      "Yeongdeungpo-gu", "Dongjak-gu", "Gwanak-gu", "Seocho-gu", "Gangnam-gu", "Songpa-gu",
      "Gangdong-gu"]
PROBLEMS = ["가로등이 꺼져서 밤길이 어두워요", "음식물 쓰레기 수거가 며칠째 안 되고 있어요",
            "버스 정류장 전광판이 고장 났어요", "도로에 포트홀이 생겨서 위험합니다",
            "공원 화장실 수도가 고장 나서 물이 새요", "The crosswalk signal is far too short for children",
            "Illegal parking is blocking the fire lane again", "The playground swing is broken"]


def message(run_id, index):
    return {"id": f"{run_id}-{index}", "channel": "callcentre",  # a bridge-relayed channel: "*" grants it
            "text": f"{PROBLEMS[index % len(PROBLEMS)]} (report {index})",
            "location": {"district": GU[(index // len(PROBLEMS)) % len(GU)]}}


class Sender:
    """Posts NDJSON batches to the gateways in turn from a few threads, resending
    every line answered as retryable (as a bridge would) until it is stored.
    `acked` holds every id stored, with the answer."""

    def __init__(self, gateways, messages, batch=200, threads=4):
        self.gateways = gateways
        self.pending = [messages[i:i + batch] for i in range(0, len(messages), batch)]
        self.lock = threading.Lock()
        self.acked = {}
        self.rejected = []
        self.retries = 0
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in self.threads):
            pytest.fail(f"the sender did not finish in {timeout}s ({len(self.acked)} acked)")

    def _post(self, gateway, chunk):
        body = ("\n".join(json.dumps(m, ensure_ascii=False) for m in chunk) + "\n").encode()
        req = urllib.request.Request(gateway.url + "/v1/messages", data=body, method="POST",
                                     headers={"Content-Type": "application/x-ndjson",
                                              "Authorization": f"Bearer {BRIDGE_KEY}"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.read()[:500].decode(errors="replace")
        except OSError:
            return None, None

    RETRYABLE_HTTP = {None, 408, 429, 502, 503, 504}  # None: the connection was refused or reset

    def require_no_refusal(self):
        """Fails the test at once when a gateway refused a batch for good (a test that kept
        resending a 400 would only time out much later, naming the wrong thing)."""
        with self.lock:
            if self.rejected:
                pytest.fail(f"a gateway refused messages: {self.rejected[:2]}")

    def _run(self, index):
        turn = index
        while True:
            with self.lock:
                if not self.pending:
                    return
                chunk = self.pending.pop()
            while chunk:
                gateway = self.gateways[turn % len(self.gateways)]
                turn += 1
                status, answer = self._post(gateway, chunk)
                if status not in self.RETRYABLE_HTTP and status != 200:
                    with self.lock:
                        self.rejected.append({"http_status": status, "body": answer})
                    return
                if status != 200:
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.5)  # 429/503 or a refused connection: send again later
                    continue
                again = []
                for m, result in zip(chunk, answer["results"]):
                    if result["status"] == "stored":
                        with self.lock:
                            self.acked[m["id"]] = result
                    elif result.get("retryable"):
                        again.append(m)
                    else:
                        with self.lock:
                            self.rejected.append(result)
                if again:
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.2)
                chunk = again


def read_all(bootstrap, topics, done, timeout):
    """Every record of `topics` (read_committed) as (topic, key, value, headers), read
    until done(records) holds or the timeout passes."""
    consumer = fresh_consumer(bootstrap, topics)
    records = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=2000, timeout=0.5):
                if msg.error():
                    continue
                records.append(as_tuple(msg))
            if done(records):
                break
    finally:
        consumer.close()
    return records


def broker_leading_most(bootstrap, topic_prefix):
    """The node id that leads most partitions of the test's topics."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(timeout=30)
    leaders = {}
    for name, topic in metadata.topics.items():
        if name.startswith(topic_prefix):
            for p in topic.partitions.values():
                leaders[p.leader] = leaders.get(p.leader, 0) + 1
    return max(leaders, key=leaders.get), leaders


def kafka_node(data_dir, command, node):
    return subprocess.run([KAFKA, command, "--dir", str(data_dir), "--node", str(node)],
                          check=True, capture_output=True, text=True, timeout=180)
