"""Bounded memory: the per-connection window and the global budget make the gateway
stop reading (WebSocket) or answer 429 (HTTP); nothing is dropped."""

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import websockets

from conftest import read_topic
from messages import as_json, key, message
from wsclient import stream


def test_a_client_that_never_reads_its_acks_keeps_gateway_memory_flat(gateway, run_id):
    g = gateway(gateway__ws__max_in_flight=64)
    filler = "보도블록 파손 신고합니다. " * 20  # ~700 bytes a message

    async def flood_without_reading():
        sent = 0
        # max_queue=1 and a small read limit: this client lets acks pile up in TCP.
        async with websockets.connect(g.ws_url, max_queue=1, read_limit=2**10,
                                      write_limit=2**12) as ws:
            deadline = time.monotonic() + 15
            try:
                while time.monotonic() < deadline:
                    m = message(run_id, "flood", sent, text=filler)
                    await asyncio.wait_for(ws.send(json.dumps(m, ensure_ascii=False)), 3)
                    sent += 1
            except asyncio.TimeoutError:
                pass  # the gateway stopped reading us: backpressure reached the sender
            in_flight = g.metric("gateway_in_flight_messages")
            rss = g.rss_kib()
        return sent, in_flight, rss

    g.post(as_json(message(run_id, "warm", 0)))  # first-use allocations out of the way
    rss_before = g.rss_kib()
    sent, in_flight, rss_during = asyncio.run(flood_without_reading())

    assert sent < 20000, "the sender was never slowed down"
    assert in_flight <= 64, "more unanswered messages than the window"
    assert rss_during - rss_before < 64 * 1024, f"gateway grew by {rss_during - rss_before} KiB"
    assert g.metric("gateway_reading_paused_total") >= 1
    # Every message the gateway read was stored, none dropped.
    g.wait_until(lambda: g.metric("gateway_in_flight_messages") == 0, "in-flight never drained")
    assert g.metric('gateway_messages_total{outcome="stored"}') >= sent - 64 - 1


def test_the_global_budget_pauses_websockets_and_refuses_http_with_429(gateway, bootstrap, run_id):
    # Room for two 1 KiB messages; Kafka holds each for a second (linger) so they pile up.
    g = gateway(gateway__in_flight_budget_bytes=2048, gateway__max_body_bytes=1024,
                gateway__max_message_bytes=1024, kafka__linger__ms=1000)
    padding = "x" * 700

    def post(i):
        return g.post(as_json(message(run_id, "budget", i, text=padding)))

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(post, range(6)))
    statuses = sorted(r[0] for r in results)
    assert statuses.count(200) >= 2 and statuses.count(429) >= 1, statuses
    for status, headers, body in results:
        if status == 429:
            assert headers["Retry-After"] == "1"
            problem = json.loads(body)
            assert problem["code"] == "overloaded" and problem["retryable"] is True
    assert g.metric('gateway_refused_total{reason="overloaded"}') >= 1

    # Over WebSocket the same pressure means waiting, not refusing: all are stored.
    messages = [message(run_id, "budget-ws", i, text=padding) for i in range(8)]
    answers = asyncio.run(stream(g.ws_url, messages, timeout=60))
    assert all(a["type"] == "ack" for a in answers.values()), answers
    assert g.metric("gateway_reading_paused_total") >= 1
    found = read_topic(bootstrap, {key(m) for m in messages})
    assert len(found) == 8
