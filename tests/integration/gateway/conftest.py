"""Fixtures for the gateway's integration tests: the real Kafka broker started by
CTest's kafka fixture, a gateway process per test, and readers of its topics."""

import base64
import hashlib
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests/support"))
from broker_env import shared_bootstrap  # noqa: E402,F401
from reply_tokens import ReplyKeys  # noqa: E402
from topic_reader import fresh_consumer  # noqa: E402

AUTHOR_KEY = "integration-test-author-key-0123"
# The gateway seals where to answer with the public half; tests open with the private half.
REPLY_KEYS = ReplyKeys("gwtest")

# The bridge every test sends as unless it says otherwise: any channel that is
# not a verified webhook's. Only the SHA-256 of a key goes into the configuration.
BRIDGE = "test-bridge"
BRIDGE_KEY = "cgk_integration-test-bridge-key-0000000000000"
BRIDGE_HEADERS = {"Authorization": f"Bearer {BRIDGE_KEY}"}


def bridge_entry(name, key, channels):
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}:{channels}"


def bridge_key(m):
    """The Kafka key of a message the test bridge sent."""
    return f"bridge/{BRIDGE}/{m['channel']}:{m['id']}"


def raw_websocket(port):
    """A socket that has done the WebSocket handshake at /v1/stream as the test bridge,
    for tests that send frames by hand."""
    s = socket.create_connection(("127.0.0.1", port))
    ws_key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {ws_key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Authorization: {BRIDGE_HEADERS['Authorization']}\r\n\r\n").encode())
    s.settimeout(10)
    assert s.recv(4096).startswith(b"HTTP/1.1 101")
    return s


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """A gateway process on a free port, logging to a file."""

    def __init__(self, bootstrap, tmp_path, env=None, wait_for_health=True, **options):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/v1/stream"
        self.log_path = tmp_path / f"gateway-{self.port}.log"
        args = [os.environ.get("GATEWAY_BINARY", str(REPO / "build/dev/gateway/gateway")),
                f"--gateway.listen=127.0.0.1:{self.port}",
                f"--kafka.bootstrap.servers={bootstrap}"]
        options.setdefault("auth__bridge_keys", bridge_entry(BRIDGE, BRIDGE_KEY, "*"))
        args += [f"--{key.replace('__', '.')}={value}" for key, value in options.items()]
        env = dict(os.environ, GATEWAY_AUTHOR_KEY=AUTHOR_KEY,
                   GATEWAY_REPLY_TOKEN_PUBLIC_KEY=REPLY_KEYS.public, **(env or {}))
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait_for_health:
            self.wait_until(lambda: self.get("/healthz")[0] == 200, "gateway did not start")

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError:
            return None, ""

    def post(self, body, content_type="application/json", headers=None, credential=BRIDGE_KEY):
        """POST /v1/messages as the test bridge (credential=None: without one)."""
        data = body.encode() if isinstance(body, str) else body
        sent = {"Content-Type": content_type}
        if credential:
            sent["Authorization"] = f"Bearer {credential}"
        req = urllib.request.Request(self.url + "/v1/messages", data=data, method="POST",
                                     headers={**sent, **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def metric(self, name):
        """Sum of every sample of a metric whose name and labels start with `name`."""
        _, text = self.get("/metrics")
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith(name) and not line.startswith("#"))

    def rss_kib(self):
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def wait_until(self, condition, message, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gateway exited ({self.process.returncode}): {self.log_text()[-2000:]}")
            if condition():
                return
            time.sleep(0.1)
        pytest.fail(message)

    def terminate(self, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def bootstrap():
    return shared_bootstrap()


@pytest.fixture
def gateway(bootstrap, tmp_path):
    started = []

    def start(**options):
        g = Gateway(bootstrap, tmp_path, **options)
        started.append(g)
        return g

    yield start
    for g in started:
        died = g.process.poll()
        code = g.terminate()
        # Shown by pytest only when the test failed: what the gateway said last.
        print(f"gateway :{g.port} " + (f"had exited ({died})" if died is not None else f"stopped ({code})"))
        print("\n".join(g.log_text().splitlines()[-40:]))


@pytest.fixture
def run_id():
    """Makes this test's message ids unique on the shared topic."""
    return uuid.uuid4().hex[:12]


def read_topic(bootstrap, keys, topic="feedback.ingested", timeout=90, settle=0.0):
    """Records of `topic` whose key is in `keys`, as {key: [record, ...]}. Reads until
    every key was seen (then `settle` seconds more, to catch duplicates) or the timeout."""
    consumer = fresh_consumer(bootstrap, [topic])
    found = {}
    deadline = time.monotonic() + timeout
    settle_until = None
    try:
        while time.monotonic() < deadline:
            if settle_until is None and len(found) >= len(keys):
                settle_until = time.monotonic() + settle
            if settle_until is not None and time.monotonic() >= settle_until:
                break
            for msg in consumer.consume(num_messages=1000, timeout=0.5):
                if msg.error():
                    continue
                key = msg.key().decode()
                if key in keys:
                    found.setdefault(key, []).append(msg)
    finally:
        consumer.close()
    return found
