"""Kafka stops in the middle of a stream: nothing unstored is acked, new messages are
refused as retryable while it is down, and what the bridge resends lands after restart."""

import asyncio
import json
import pathlib
import subprocess
import time

import pytest
import websockets

from conftest import BRIDGE_HEADERS, REPO, read_topic
from messages import key, message

FIXTURE = REPO / "tests/support/kafka-fixture"
KAFKA = REPO / "script/kafka"


@pytest.fixture
def own_broker(tmp_path):
    """A broker of this test's own, since the test stops it."""
    state = tmp_path / "broker"
    bootstrap = subprocess.run([FIXTURE, "start", state], check=True, capture_output=True,
                               text=True).stdout.strip().splitlines()[-1]
    yield bootstrap, state / "kafka"
    subprocess.run([FIXTURE, "stop", state], check=False)


async def send_and_collect(url, messages, answers, pause=0.002):
    async with websockets.connect(url, extra_headers=BRIDGE_HEADERS) as ws:
        async def read():
            while len(answers) < len(messages):
                frame = json.loads(await ws.recv())
                answers[frame["id"]] = frame

        reader = asyncio.create_task(read())
        for m in messages:
            await ws.send(json.dumps(m, ensure_ascii=False))
            await asyncio.sleep(pause)
        await asyncio.wait_for(reader, 120)


def test_broker_stopped_mid_stream(gateway, own_broker, run_id):
    bootstrap, data_dir = own_broker
    g = gateway(kafka__bootstrap__servers=bootstrap, kafka__message__timeout__ms=4000,
                gateway__kafka_check_interval_ms=300)
    messages = [message(run_id, "outage", i) for i in range(3000)]
    answers = {}

    async def stream_while_stopping():
        sender = asyncio.create_task(send_and_collect(g.ws_url, messages, answers))
        while len(answers) < 500:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(subprocess.run, [KAFKA, "stop", "--dir", data_dir], check=True)
        await sender

    asyncio.run(stream_while_stopping())
    assert len(answers) == len(messages), "a message got no answer"
    acked = [m for m in messages if answers[m["id"]]["type"] == "ack"]
    nacked = [m for m in messages if answers[m["id"]]["type"] == "nack"]
    assert acked and nacked
    assert all(answers[m["id"]]["retryable"] for m in nacked)
    assert {answers[m["id"]]["code"] for m in nacked} <= {"unavailable", "kafka_error"}

    g.wait_until(lambda: g.get("/readyz")[0] == 503, "/readyz still says ready")
    assert json.loads(g.get("/readyz")[1])["kafka"] is False

    subprocess.run([KAFKA, "start", "--dir", data_dir], check=True, capture_output=True)
    g.wait_until(lambda: g.get("/readyz")[0] == 200, "/readyz never recovered", timeout=60)

    # The bridge resends what was not acked, as long as the refusals are
    # retryable (the producer may still be reconnecting just after /readyz
    # turned): now all of it is stored.
    pending, rounds = nacked, 0
    while pending and rounds < 20:
        resent = {}
        asyncio.run(send_and_collect(g.ws_url, pending, resent, pause=0))
        refused = [m for m in pending if resent[m["id"]]["type"] == "nack"]
        assert all(resent[m["id"]]["retryable"] for m in refused), \
            {resent[m["id"]]["code"] for m in refused}
        pending, rounds = refused, rounds + 1
        if pending:
            time.sleep(0.5)
    assert not pending, f"{len(pending)} messages still refused after {rounds} resends"

    found = read_topic(bootstrap, {key(m) for m in messages}, timeout=120)
    missing = [key(m) for m in acked if key(m) not in found]
    assert not missing, f"{len(missing)} acked messages are not in Kafka: {missing[:5]}"
    assert len(found) == len(messages)
