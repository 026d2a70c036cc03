"""Every input limit in README's limits table: the documented error, precise to the
field, on HTTP and on WebSocket, a metric, and nothing in Kafka."""

import asyncio
import json
import resource
import socket
import time

import pytest
import websockets

from conftest import BRIDGE_HEADERS, raw_websocket, read_topic
from messages import as_json, key, message

LIMITS = dict(gateway__max_text_chars=100, gateway__max_message_bytes=1024,
              gateway__max_body_bytes=2048, gateway__max_batch_messages=3,
              gateway__http__read_timeout_ms=1000, gateway__ws__idle_timeout_ms=1500)


def bad_messages(run_id):
    """(name, body, HTTP status, code, pointer); each body's id is unique to the case."""
    def body(name, **fields):
        m = {"id": f"{run_id}-{name}", "channel": "email", "text": "보도블록 파손"}
        m.update(fields)
        return as_json({k: v for k, v in m.items() if v is not None})

    deep = {"lat": 37.5}
    for _ in range(10):
        deep = {"x": deep}
    return [
        ("missing-text", body("missing-text", text=None), 400, "missing_field", "/text"),
        ("missing-id", body("missing-id", id=None), 400, "missing_field", "/id"),
        ("unknown-member", body("unknown-member", phone="010-1234-5678"), 400, "unknown_field", "/phone"),
        ("wrong-type", body("wrong-type", text=42), 400, "wrong_type", "/text"),
        ("empty-text", body("empty-text", text=""), 400, "too_short", "/text"),
        ("blank-text", body("blank-text", text=" \n\t "), 400, "too_short", "/text"),
        ("text-too-long", body("text-too-long", text="가" * 101), 400, "too_long", "/text"),
        ("bad-channel", body("bad-channel", channel="Web!"), 400, "invalid_value", "/channel"),
        ("bad-kind", body("bad-kind", kind="rant"), 400, "invalid_value", "/kind"),
        ("lat-without-lon", body("lat-without-lon", location={"lat": 37.5}), 400, "invalid_value", "/location/lon"),
        ("lat-out-of-range", body("lat-out-of-range", location={"lat": 137.5, "lon": 127.0}), 400, "out_of_range", "/location/lat"),
        ("bad-media", body("bad-media", media=["ftp://files/x.jpg"]), 400, "invalid_value", "/media/0"),
        ("bad-traceparent", body("bad-traceparent", traceparent="not-a-trace"), 400, "too_short", "/traceparent"),
        ("too-deep", body("too-deep", location=deep), 400, "too_deep", ""),
        ("too-large", body("too-large", text="x" * 1100), 413, "too_large", ""),
        ("malformed", body("malformed")[:-1], 400, "malformed_json", ""),
        ("trailing", body("trailing") + " {}", 400, "malformed_json", ""),
        ("not-object", "[1,2,3]", 400, "wrong_type", ""),
        ("invalid-utf8", body("invalid-utf8").encode().replace("파손".encode(), b"\xff\xfe"), 400, "invalid_utf8", ""),
    ]


def test_each_bad_message_gets_its_documented_error_and_nothing_reaches_kafka(gateway, bootstrap, run_id):
    g = gateway(**LIMITS)
    cases = bad_messages(run_id)

    for name, body, status, code, pointer in cases:
        got, headers, text = g.post(body)
        problem = json.loads(text)
        assert (got, problem["code"], problem["pointer"]) == (status, code, pointer), name
        assert headers["Content-Type"] == "application/problem+json"
        assert problem["retryable"] is False and problem["status"] == status

    # Over WebSocket, the same cases as text frames. (A text frame that is not
    # UTF-8 is a protocol error the WebSocket layer answers with close 1007.)
    ws_cases = [c for c in cases if isinstance(c[1], str)]

    async def over_websocket():
        async with websockets.connect(g.ws_url, extra_headers=BRIDGE_HEADERS) as ws:
            for _, body, *_ in ws_cases:
                await ws.send(body)
            return [json.loads(await ws.recv()) for _ in ws_cases]

    frames = asyncio.run(over_websocket())
    by_code = {}
    for frame in frames:
        assert frame["type"] == "nack" and frame["retryable"] is False
        by_code.setdefault((frame["code"], frame["pointer"]), []).append(frame["id"])
    for name, _, _, code, pointer in ws_cases:
        assert (code, pointer) in by_code, name

    # A readable id is echoed so the bridge knows which message was refused.
    named = {f["id"]: f for f in frames if f["id"]}
    assert named[f"{run_id}-missing-text"]["code"] == "missing_field"
    assert named[f"{run_id}-text-too-long"]["message"] == "/text must have at most 100 characters (has 101)"

    sentinel = message(run_id, "sentinel", 0)
    assert g.post(as_json(sentinel))[0] == 200
    bad_keys = {f"bridge/test-bridge/email:{run_id}-{name}" for name, *_ in cases}
    found = read_topic(bootstrap, bad_keys | {key(sentinel)}, timeout=20, settle=3)
    assert set(found) == {key(sentinel)}

    for _, _, _, code, _ in ws_cases:
        assert g.metric(f'gateway_rejected_total{{reason="{code}"}}') >= 2, code


def test_request_level_limits(gateway, run_id):
    g = gateway(**LIMITS)
    status, _, text = g.post(as_json(message(run_id, "t", 0)), content_type="text/plain")
    assert status == 415

    status, _, text = g.post("x" * 4096)
    assert status == 413 and json.loads(text)["code"] == "too_large"

    four = "\n".join(as_json(message(run_id, "b", i)) for i in range(4))
    status, _, text = g.post(four, content_type="application/x-ndjson")
    assert status == 413 and "1 to 3 messages" in json.loads(text)["detail"]

    status, _ = g.get("/v1/nowhere")
    assert status == 404


def test_a_refused_body_still_being_sent_gets_its_answer_not_a_reset(gateway):
    """413 is answered as soon as the headers are read; the client, still writing its 6 MiB,
    must be able to finish and read it (a close with unread bytes would send a TCP reset)."""
    g = gateway()
    body = b"x" * (6 << 20)  # over gateway.max_body_bytes (4 MiB)
    with socket.create_connection(("127.0.0.1", g.port)) as s:
        s.settimeout(20)
        s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Authorization: {BRIDGE_HEADERS['Authorization']}\r\n".encode()
                  + f"Content-Length: {len(body)}\r\n\r\n".encode())
        s.sendall(body)  # ConnectionResetError or BrokenPipeError without the lingering close
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["code"] == "too_large"
    g.wait_until(lambda: g.metric("gateway_http_lingering_discarded_bytes_total") > 2 << 20,
                 "the refused body was not read and dropped")
    assert g.metric("gateway_http_lingering_cut_short_total") == 0


def test_a_client_trickling_a_refused_body_is_cut_off_after_the_lingering_close(gateway):
    g = gateway(gateway__http__lingering_close_ms="500")
    with socket.create_connection(("127.0.0.1", g.port)) as s:
        s.settimeout(10)
        s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Authorization: {BRIDGE_HEADERS['Authorization']}\r\n".encode()
                  + f"Content-Length: {6 << 20}\r\n\r\n".encode())
        # A byte every 100 ms, never done within the linger: once the gateway has closed
        # for good, a write is answered with a reset.
        answer, closed = b"", False
        for _ in range(40):
            try:
                s.sendall(b"x")
                answer += s.recv(65536, socket.MSG_DONTWAIT)  # b"" once the gateway stops sending
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.1)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert closed, "the gateway kept reading a refused body past gateway.http.lingering_close_ms"
    g.wait_until(lambda: g.metric("gateway_http_lingering_cut_short_total") == 1,
                 "the cut-short lingering close was not counted")


def test_oversized_websocket_frame_closes_with_1009(gateway):
    g = gateway(**LIMITS)

    async def send_huge():
        async with websockets.connect(g.ws_url, max_size=None, extra_headers=BRIDGE_HEADERS) as ws:
            await ws.send("x" * 10000)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.code

    assert asyncio.run(send_huge()) == 1009
    assert g.metric('gateway_connections_closed_total{protocol="websocket",reason="protocol_error"}') == 1


def test_slow_http_client_is_cut_off_after_the_read_timeout(gateway):
    g = gateway(**LIMITS)
    with socket.create_connection(("127.0.0.1", g.port)) as s:
        s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":")
        s.settimeout(5)
        start = time.monotonic()
        assert s.recv(1024) == b""
        assert 0.8 < time.monotonic() - start < 4
    g.wait_until(lambda: g.metric(
        'gateway_connections_closed_total{protocol="http",reason="idle_timeout"}') == 1, "no metric")


def test_silent_websocket_client_is_closed_after_the_idle_timeout(gateway):
    g = gateway(**LIMITS)
    with raw_websocket(g.port) as s:
        # Never answer the gateway's pings: it must give up on us.
        start = time.monotonic()
        while s.recv(4096):
            pass
        assert time.monotonic() - start < 6
    g.wait_until(lambda: g.metric(
        'gateway_connections_closed_total{protocol="websocket",reason="idle_timeout"}') == 1, "no metric")


def test_out_of_file_descriptors_accepting_pauses_and_resumes_without_flooding_the_log(gateway):
    g = gateway(**LIMITS)
    # Every error path once first (a read timeout, a client's close): UBSan checks an
    # object's type the first time it meets it with a pipe, which it cannot open at
    # the fd limit, and would report a false "invalid vptr".
    with socket.create_connection(("127.0.0.1", g.port)) as idle:
        idle.settimeout(5)
        assert idle.recv(1) == b""
    socket.create_connection(("127.0.0.1", g.port)).close()
    assert g.get("/healthz")[0] == 200
    resource.prlimit(g.process.pid, resource.RLIMIT_NOFILE, (128, 128))
    held = [socket.create_connection(("127.0.0.1", g.port)) for _ in range(300)]
    time.sleep(2)  # accept fails with EMFILE all along
    failures = g.log_text().count("listener.accept_failed")
    assert 1 <= failures <= 50, f"{failures} accept_failed lines in 2 s"
    for s in held:
        s.close()
    g.wait_until(lambda: g.get("/healthz")[0] == 200, "the gateway did not accept again", 10)
    assert "listener.accept_resumed" in g.log_text()
