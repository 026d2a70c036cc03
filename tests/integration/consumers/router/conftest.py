"""Fixtures for the router's integration tests: the real Kafka broker started by
CTest's kafka fixture, a private set of topics per test (so tests never see each
other's records), router processes, and read_committed readers of its output."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

REPO = pathlib.Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO / "tests/support"))
from broker_env import shared_bootstrap  # noqa: E402,F401
from topic_reader import as_tuple, fresh_consumer  # noqa: E402
DIVISIONS = ["transport", "roads", "environment", "sanitation", "water", "housing", "welfare", "safety",
             "parks", "culture", "economy", "health", "admin", "triage"]


class Topics:
    """feedback.unique, division.<id> and feedback.deadletter under a private prefix."""

    def __init__(self, bootstrap, input_partitions=3):
        self.prefix = "rt-" + uuid.uuid4().hex[:10] + "."
        self.input = self.prefix + "unique"
        self.division_prefix = self.prefix + "division."
        self.deadletter = self.prefix + "deadletter"
        names = [self.input] + [self.division(d) for d in DIVISIONS] + [self.deadletter]
        admin = AdminClient({"bootstrap.servers": bootstrap})
        partitions = {self.input: input_partitions}
        futures = admin.create_topics([NewTopic(n, partitions.get(n, 1), 1) for n in names])
        for f in futures.values():
            f.result(timeout=60)

    def division(self, d):
        return self.division_prefix + d


def envelope(text, id_suffix, lat=None, lon=None, address=None, kind=None):
    location = None
    if lat is not None or address is not None:
        location = {"lat": lat, "lon": lon, "address": address, "district": None}
    return {
        "version": 1,
        "id": f"0193f2a4-6b1c-7d3e-9f00-{id_suffix:012x}",
        "received_at": "2026-11-22T01:12:33.512Z",
        "channel": "web",
        "channel_message_id": f"W-{id_suffix}",
        "idempotency_key": f"web:W-{id_suffix}",
        "kind": kind,
        "text": text,
        "language": "ko",
        "location": location,
        "media": [],
        "author_id": None,
        "reply_to": None,
    }


class Router:
    """A router process reading the given topics, logging to a file."""

    def __init__(self, bootstrap, topics, rules, log_path, group=None, transactional_id=None, extra=()):
        self.log_path = log_path
        self.group = group or "router-test-" + uuid.uuid4().hex[:8]
        self.transactional_id = transactional_id or self.group
        args = [os.environ.get("ROUTER_BINARY", str(REPO / "build/dev/consumers/router/router")),
                f"--kafka.bootstrap.servers={bootstrap}",
                f"--router.rules={rules}",
                # These tests are about Kafka (exactly once, reloads) with their own
                # small rules files; the sentence model has its own tests.
                "--router.model=",
                "--router.rules_check_ms=200",
                f"--router.topic.input={topics.input}",
                f"--router.topic.division_prefix={topics.division_prefix}",
                f"--router.topic.deadletter={topics.deadletter}",
                f"--router.group_id={self.group}",
                f"--router.transactional_id={self.transactional_id}",
                "--router.stats_interval_s=1", "--router.ops_listen=127.0.0.1:0", *extra]
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def log_lines(self):
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
        return lines

    def wait_for_log(self, event, timeout=60, where=lambda entry: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.log_lines() if e.get("event") == event and where(e)]
            if found:
                return found[-1]
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"no {event} in the router log:\n{self.log_path.read_text(errors='replace')[-4000:]}")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        self.log.close()
        return self.process.returncode


@pytest.fixture
def bootstrap():
    return shared_bootstrap()


@pytest.fixture
def topics(bootstrap):
    return Topics(bootstrap)


@pytest.fixture
def shipped_rules(tmp_path):
    """The shipped Seoul rules and the district boundaries they name, copied."""
    (tmp_path / "rules").mkdir()
    shutil.copytree(REPO / "deploy/config/districts", tmp_path / "districts")
    target = tmp_path / "rules" / "seoul.yaml"
    shutil.copy(REPO / "deploy/config/rules/seoul.yaml", target)
    return target


@pytest.fixture
def routers(bootstrap, topics, tmp_path):
    started = []

    def start(rules, **kwargs):
        r = Router(bootstrap, topics, rules, tmp_path / f"router-{len(started)}.log", **kwargs)
        started.append(r)
        return r

    yield start
    for r in started:
        if r.process.poll() is None:
            r.stop(signal.SIGKILL)


def produce(bootstrap, topic, records):
    """records: (key, value bytes/str/dict, headers list) tuples; waits for every delivery."""
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
    failures = []
    for key, value, headers in records:
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        p.produce(topic, key=key, value=value, headers=headers,
                  on_delivery=lambda err, msg: failures.append(err) if err else None)
        p.poll(0)
    assert p.flush(60) == 0
    assert not failures, failures


def read_committed(bootstrap, topic_list, until, timeout=120, settle=1.0):
    """Reads (topic, key, value, headers) from the topics (read_committed) until
    until(records) is true, then a little longer to catch any extra record."""
    consumer = fresh_consumer(bootstrap, topic_list)
    records = []
    deadline = time.monotonic() + timeout
    settled_at = None
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                records.append(as_tuple(msg))
            if until(records):
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= settle:
                    return records
    finally:
        consumer.close()
    return records
