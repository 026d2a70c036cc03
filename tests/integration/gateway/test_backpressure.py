"""Bounded memory: the per-connection window and the global budget make the gateway
stop reading (WebSocket) or answer 429 (HTTP); nothing is dropped."""

import asyncio
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import websockets

from conftest import BRIDGE_HEADERS, read_topic
from messages import as_json, key, message
from wsclient import stream


def test_a_client_that_never_reads_its_acks_keeps_gateway_memory_flat(gateway, run_id):
    # Under AddressSanitizer freed memory sits in a quarantine (256 MiB by default)
    # and would read as growth; a small one makes RSS mean what it says.
    g = gateway(env={"ASAN_OPTIONS": "quarantine_size_mb=1:malloc_context_size=5"},
                gateway__ws__max_in_flight=64)
    filler = "보도블록 파손 신고합니다. " * 20  # ~700 bytes a message

    # Long ids make long acks, and a small receive buffer on this side: the
    # socket buffers between the gateway and this client fill within seconds.
    long_id = "x" * 200

    async def flood_without_reading():
        sent = 0
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", g.port))
        # max_queue=1 and a small read limit: this client lets acks pile up in TCP.
        async with websockets.connect(g.ws_url, sock=sock, max_queue=1, read_limit=2**10,
                                      write_limit=2**12, extra_headers=BRIDGE_HEADERS) as ws:
            start = time.monotonic()
            deadline = start + 15
            rss_settled = None
            try:
                while time.monotonic() < deadline:
                    if rss_settled is None and time.monotonic() - start > 5:
                        rss_settled = g.rss_kib()
                    m = message(run_id, "flood", sent, text=filler)
                    m["id"] = f"{long_id}-{m['id']}"
                    await asyncio.wait_for(ws.send(json.dumps(m, ensure_ascii=False)), 3)
                    sent += 1
            except asyncio.TimeoutError:
                pass  # the gateway stopped reading us: backpressure reached the sender
            in_flight = g.metric("gateway_in_flight_messages")
            rss_end = g.rss_kib()
        return sent, in_flight, rss_settled or rss_end, rss_end

    sent, in_flight, rss_settled, rss_end = asyncio.run(flood_without_reading())

    assert sent < 20000, "the sender was never slowed down"
    assert in_flight <= 64, "more unanswered messages than the window"
    # From five seconds in to the end of the flood, memory stays where it was.
    assert rss_end - rss_settled < 16 * 1024, f"gateway grew by {rss_end - rss_settled} KiB"
    assert g.metric("gateway_reading_paused_total") >= 1
    # Everything the gateway read was stored: nothing dropped, refused or failed.
    # (What the client wrote but the gateway never read is still in TCP buffers.)
    g.wait_until(lambda: g.metric("gateway_in_flight_messages") == 0, "in-flight never drained")
    assert g.metric('gateway_messages_total{outcome="stored"}') > 1000
    for outcome in ("rejected", "refused", "failed"):
        assert g.metric(f'gateway_messages_total{{outcome="{outcome}"}}') == 0, outcome


def test_the_global_budget_pauses_websockets_and_refuses_http_with_503(gateway, bootstrap, run_id):
    # A full budget means the gateway cannot take it now (503), not that this
    # client is over its rate (429, the per-client limits).
    # Room for two 1 KiB messages; Kafka holds each for a second (linger) so they pile up.
    g = gateway(gateway__in_flight_budget_bytes=2048, gateway__max_body_bytes=1024,
                gateway__max_message_bytes=1024, kafka__linger__ms=1000)
    padding = "x" * 700

    def post(i):
        return g.post(as_json(message(run_id, "budget", i, text=padding)))

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(post, range(6)))
    statuses = sorted(r[0] for r in results)
    assert statuses.count(200) >= 2 and statuses.count(503) >= 1, statuses
    assert set(statuses) <= {200, 503}, statuses
    for status, headers, body in results:
        if status == 503:
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


def test_bodies_being_read_count_against_the_budget_so_unauthenticated_clients_cannot_fill_memory(
        gateway, run_id):
    g = gateway(gateway__in_flight_budget_bytes=64 * 1024, gateway__max_body_bytes=16 * 1024)
    head = ("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 16000\r\n\r\n").encode()
    stalled = []
    for _ in range(4):  # 4 x 16,000 bytes fit in 64 KiB; each sends half its body, then stalls
        s = socket.create_connection(("127.0.0.1", g.port))
        s.sendall(head + b"x" * 8000)
        stalled.append(s)
    time.sleep(0.5)
    with socket.create_connection(("127.0.0.1", g.port)) as fifth:
        fifth.sendall(head)
        fifth.settimeout(5)
        answer = fifth.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 503") and '"code":"overloaded"' in answer, answer
    assert "Retry-After: 1" in answer
    assert g.metric('gateway_refused_total{reason="overloaded"}') == 1
    for s in stalled:
        s.close()
    body = as_json(message(run_id, "after-stall", 0))
    g.wait_until(lambda: g.post(body)[0] == 200, "the budget was not given back", 10)


def _announce_bodies_and_stall(port, count):
    """Sockets that send a chunked request's headers (to a path that needs no
    credential) and then nothing, as an unauthenticated client can."""
    stalled = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        stalled.append(s)
    return stalled


def test_a_body_holds_room_for_what_it_has_sent_not_for_what_it_may_send(gateway, run_id):
    # Before, each of these took gateway.max_body_bytes (here 256 KiB) at its headers:
    # four of them filled the budget and every bridge got 503 until they timed out.
    g = gateway(gateway__in_flight_budget_bytes=1024 * 1024, gateway__max_body_bytes=256 * 1024)
    stalled = _announce_bodies_and_stall(g.port, 12)
    try:
        g.wait_until(lambda: g.metric("gateway_in_flight_bytes") == 12 * 64 * 1024,
                     "the stalled bodies do not hold 64 KiB each", 10)
        status, _, body = g.post(as_json(message(run_id, "beside-stalled", 0)))
        assert status == 200, body
    finally:
        for s in stalled:
            s.close()
    g.wait_until(lambda: g.metric("gateway_in_flight_bytes") == 0, "the room was not given back", 10)


def test_a_websocket_waiting_for_room_stays_open_and_is_answered_when_room_comes(
        gateway, bootstrap, run_id):
    # A frame read while the global budget is full waits for room. With none of its
    # own messages in flight the connection was closed at once (no close frame, no
    # answer, nothing stored): nothing held it while it waited.
    g = gateway(gateway__in_flight_budget_bytes=1024 * 1024, gateway__max_body_bytes=256 * 1024)
    stalled = _announce_bodies_and_stall(g.port, 16)  # 16 x 64 KiB: the budget is full
    m = message(run_id, "waits-for-room", 0)

    async def send_then_free_room():
        async with websockets.connect(g.ws_url, extra_headers=BRIDGE_HEADERS) as ws:
            g.wait_until(lambda: g.metric("gateway_in_flight_bytes") == 1024 * 1024,
                         "the budget did not fill", 10)
            paused = g.metric("gateway_reading_paused_total")
            await ws.send(json.dumps(m, ensure_ascii=False))
            g.wait_until(lambda: g.metric("gateway_reading_paused_total") > paused,
                         "the frame did not wait for room", 10)
            await asyncio.sleep(0.5)
            assert ws.open, "the connection closed while its frame waited for room"
            for s in stalled:
                s.close()
            return json.loads(await asyncio.wait_for(ws.recv(), 15))

    try:
        answer = asyncio.run(send_then_free_room())
    finally:
        for s in stalled:
            s.close()
    assert answer["type"] == "ack" and answer["id"] == m["id"], answer
    assert len(read_topic(bootstrap, {key(m)})) == 1
