"""Fixtures for the answer loop's integration tests: the real Kafka broker
started by CTest's kafka fixture, private topics per test, the answers (and
dedup) processes, reply tokens sealed the way the gateway seals them (an
independent Python implementation of the construction in
common/crypto/reply_token.hpp), and read_committed readers of every topic."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
REPO = pathlib.Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO / "tests/support"))
from broker_env import shared_bootstrap  # noqa: E402,F401
from fake_channels import FakeLine, FakeTelegram, FakeWhatsApp  # noqa: E402
from reply_tokens import ReplyKeys  # noqa: E402,F401
ANSWERS = os.environ.get("ANSWERS_BINARY", str(REPO / "build/dev/consumers/answers/answers"))


def manifest_divisions():
    """The division.<id> topics of deploy/topics.manifest (the deployment's list)."""
    names = []
    for line in (REPO / "deploy/topics.manifest").read_text().splitlines():
        words = line.split()
        if words and words[0].startswith("division."):
            names.append(words[0])
    assert names, "deploy/topics.manifest lists no division topics"
    return names


class Topics:
    """Every topic the answer loop uses, under a private prefix (with_divisions:
    the router's division.<id> topics too)."""

    NAMES = {"ingested": 3, "unique": 3, "cases": 3, "responses": 3, "deliveries": 3, "deadletter": 1,
             "repartition": 3, "dedup_changelog": 3, "work": 3, "changelog": 3, "ledger": 3}
    COMPACTED = {"cases", "dedup_changelog", "changelog", "ledger"}

    def __init__(self, bootstrap, with_divisions=False):
        self.bootstrap = bootstrap
        self.prefix = "at-" + uuid.uuid4().hex[:10] + "."
        self.division_prefix = self.prefix + "division."
        admin = AdminClient({"bootstrap.servers": bootstrap})
        topics = [NewTopic(self.prefix + n, p, 1,
                           config={"cleanup.policy": "compact"} if n in self.COMPACTED else {})
                  for n, p in self.NAMES.items()]
        if with_divisions:
            topics += [NewTopic(self.prefix + n, 1, 1) for n in manifest_divisions()]
        for f in admin.create_topics(topics).values():
            f.result(timeout=60)
        # Created is not yet listed: a service that checks its topics at start (answers
        # does) may otherwise be told one is missing on a loaded machine.
        wanted = {t.topic: t.num_partitions for t in topics}
        deadline = time.monotonic() + 60
        while True:
            listed = admin.list_topics(timeout=30).topics
            if all(name in listed and len(listed[name].partitions) == n and
                   all(p.leader >= 0 for p in listed[name].partitions.values())
                   for name, n in wanted.items()):
                break
            assert time.monotonic() < deadline, "the broker did not list the new topics within 60 s"
            time.sleep(0.2)

    def __getattr__(self, name):
        if name in Topics.NAMES:
            return self.prefix + name
        raise AttributeError(name)

    def all(self):
        return [self.prefix + n for n in self.NAMES]

    def on_broker(self):
        """Every topic under this prefix as the broker lists it: whatever wrote them."""
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        return sorted(t for t in admin.list_topics(timeout=30).topics if t.startswith(self.prefix))

    def answers_flags(self):
        return [f"--answers.topic.unique={self.unique}", f"--answers.topic.responses={self.responses}",
                f"--answers.topic.work={self.work}", f"--answers.topic.changelog={self.changelog}",
                f"--answers.topic.ledger={self.ledger}", f"--answers.topic.deliveries={self.deliveries}",
                f"--answers.topic.deadletter={self.deadletter}"]

    def dedup_flags(self):
        return [f"--dedup.topic.input={self.ingested}", f"--dedup.topic.repartition={self.repartition}",
                f"--dedup.topic.changelog={self.dedup_changelog}", f"--dedup.topic.unique={self.unique}",
                f"--dedup.topic.cases={self.cases}", f"--dedup.topic.deadletter={self.deadletter}",
                f"--dedup.topic.responses={self.responses}", f"--dedup.topic.deliveries={self.deliveries}"]



def pothole_envelope(n, channel, author, token):
    """Envelope n of a pothole report, as dedup writes it to feedback.unique, answerable
    through `token` (a reply token sealed for the answers service)."""
    return {"version": 1, "id": f"0195c2a4-7a10-7c3e-9b21-{n:012x}", "received_at": "2026-11-22T01:00:00.000Z",
            "channel": channel, "channel_message_id": f"m-{n}", "idempotency_key": f"{channel}:m-{n}",
            "kind": "complaint", "text": "세종대로 광화문역 앞 도로에 포트홀이 생겼어요", "language": "ko",
            "location": None, "media": [], "author_id": author, "reply_to": {"channel": channel, "token": token}}


def report(bootstrap, topics, keys, whatsapp, case_id, n, citizens):
    """Each of citizens, (channel, address, author), reports case n's pothole (envelope n * 10 + i
    on feedback.unique) with a reply token for its address; the WhatsApp citizen has just written,
    so its answer may be free text."""
    for i, (channel, address, author) in enumerate(citizens):
        if channel == "whatsapp":
            whatsapp.citizen_wrote(address)
        token = keys.seal(channel, address, thread="1365" if channel == "telegram" else "",
                          via=whatsapp.phone_number_id if channel == "whatsapp" else "")
        produce(bootstrap, topics.unique, "Jongno-gu", json.dumps(pothole_envelope(n * 10 + i, channel, author, token)),
                [("civic-case-id", case_id)])


def delivery_outcomes(bootstrap, topics):
    """The outcomes on feedback.deliveries by (update id, channel), in the order written."""
    got = {}
    for _, value, _ in read_all(bootstrap, topics.deliveries):
        record = json.loads(value)
        if record["type"] == "outcome":
            got.setdefault((record["update_id"], record["channel"]), []).append(record["outcome"])
    return got


def fixed_update(case_id, update_id, answer):
    """The roads division marks the case fixed and answers it (feedback.responses)."""
    return {"version": 1, "type": "update", "id": update_id, "case_id": case_id, "locality": "Jongno-gu",
            "at": "2026-11-22T03:00:00.000Z", "division": "roads", "actor": "clerk-1", "status": "fixed",
            "answer": {"text": answer, "language": "ko"}, "assign_to": [], "expected_at": None, "notify": True}


def answers_args(bootstrap, topics, keys, line, telegram, whatsapp, instance=0, http_timeout_ms=3000):
    """The answers service's flags for a test: its topics, the test's reply-token key,
    LINE (push only), Telegram and WhatsApp at the fake servers; instance picks the
    transactional id (two instances share the group)."""
    return [ANSWERS, f"--kafka.bootstrap.servers={bootstrap}", *topics.answers_flags(),
            f"--answers.reply_token.private_keys={keys.private_text}",
            f"--answers.group_id={topics.prefix}answers",
            f"--answers.transactional_id={topics.prefix}answers-{instance}",
            f"--answers.ledger_transactional_prefix={topics.prefix}ledger-",
            "--answers.line.enabled=true", f"--answers.line.base_url={line.base_url}",
            f"--answers.line.channel_access_token={line.token}", "--answers.line.reply_window_s=0",
            "--answers.telegram.enabled=true", f"--answers.telegram.base_url={telegram.base_url}",
            f"--answers.telegram.bot_token={telegram.token}",
            "--answers.whatsapp.enabled=true", f"--answers.whatsapp.base_url={whatsapp.base_url}/{whatsapp.version}",
            f"--answers.whatsapp.access_token={whatsapp.token}",
            "--answers.max_batch_wait_ms=20", f"--answers.http_timeout_ms={http_timeout_ms}",
            "--kafka.session.timeout.ms=10000", "--answers.ops_listen=127.0.0.1:0", "--log.level=info"]

class Service:
    """A service process (answers, dedup, gateway) logging to a file; kill() is SIGKILL."""

    def __init__(self, args, log_path, env=None):
        self.args, self.log_path, self.env = args, log_path, env
        self.process = None
        self.start()

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=dict(os.environ, **(self.env or {})))

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.log.close()

    def stop(self, timeout=60):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def alive(self):
        return self.process.poll() is None

    def log_text(self):
        return pathlib.Path(self.log_path).read_text(errors="replace")


def produce(bootstrap, topic, key, value, headers=None):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    p.produce(topic, key=key, value=value, headers=headers or [])
    assert p.flush(30) == 0


def read_all(bootstrap, topic, committed=True):
    """Every record of a topic now, as (key, value or None, headers) tuples."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-" + uuid.uuid4().hex,
                  "isolation.level": "read_committed" if committed else "read_uncommitted",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "auto.offset.reset": "earliest"})
    metadata = c.list_topics(topic, timeout=10).topics[topic]
    partitions = [TopicPartition(topic, p, 0) for p in metadata.partitions]
    c.assign(partitions)
    pending, out = {p.partition for p in partitions}, []
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                pending.discard(m.partition())
            continue
        out.append((m.key().decode() if m.key() else None, m.value(), m.headers() or []))
    c.close()
    return out


def wait_until(condition, message, timeout=90, processes=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in processes:
            if not p.alive():
                pytest.fail(f"{p.args[0]} exited ({p.process.returncode}): {p.log_text()[-3000:]}")
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(message)


@pytest.fixture
def bootstrap():
    return shared_bootstrap()


@pytest.fixture
def fakes():
    """Fake LINE, Telegram and WhatsApp APIs by channel name, closed after the test."""
    made = {"line": FakeLine(), "telegram": FakeTelegram(), "whatsapp": FakeWhatsApp()}
    yield made
    for fake in made.values():
        fake.close()
