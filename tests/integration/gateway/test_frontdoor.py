"""The front door's defects, each against the real broker: a bridge impersonating a
verified channel, requests with no Host or two, oversized headers, a hostile
traceparent header, control characters in ids, malformed JSON of any top level,
close codes RFC 6455 forbids, and Open311 forms with raw brackets."""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import subprocess
import time
import urllib.request
import uuid

import pytest
import websockets
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import BRIDGE_HEADERS, BRIDGE_KEY, REPO, bridge_entry, raw_websocket, read_topic
from messages import as_json, key, message
from topic_reader import fresh_consumer

TELEGRAM = dict(channels__telegram__enabled="true", channels__telegram__secret_token="tg-secret")
DIVISIONS = ["transport", "roads", "environment", "sanitation", "water", "housing", "welfare",
             "safety", "parks", "culture", "economy", "health", "admin", "triage"]


def raw_request(g, text):
    """Sends bytes as they are; returns the status line's code and the body."""
    with socket.create_connection(("127.0.0.1", g.port)) as s:
        s.sendall(text if isinstance(text, bytes) else text.encode())
        s.settimeout(10)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2].decode(errors="replace")


def message_request(host_lines, body, extra=""):
    return (f"POST /v1/messages HTTP/1.1\r\n{host_lines}Content-Type: application/json\r\n"
            f"Authorization: Bearer {BRIDGE_KEY}\r\n{extra}Content-Length: {len(body.encode())}\r\n"
            f"Connection: close\r\n\r\n{body}")


class Pipeline:
    """Private topics for one test: the gateway's, dedup's and the router's."""

    def __init__(self, bootstrap):
        p = "fd-" + uuid.uuid4().hex[:10] + "."
        self.ingested, self.unique, self.cases = p + "ingested", p + "unique", p + "cases"
        self.repartition, self.changelog, self.deadletter = p + "repartition", p + "changelog", p + "deadletter"
        self.division_prefix = p + "division."
        self.responses, self.deliveries = p + "responses", p + "deliveries"
        admin = AdminClient({"bootstrap.servers": bootstrap})
        names = [self.ingested, self.unique, self.cases, self.repartition, self.deadletter, self.responses,
                 self.deliveries]
        topics = [NewTopic(n, 1, 1) for n in names + [self.division_prefix + d for d in DIVISIONS]]
        topics.append(NewTopic(self.changelog, 1, 1, config={"cleanup.policy": "compact"}))
        for f in admin.create_topics(topics).values():
            f.result(timeout=60)

    def start_consumers(self, bootstrap, tmp_path):
        group = "fd-" + uuid.uuid4().hex[:8]
        common = [f"--kafka.bootstrap.servers={bootstrap}", "--log.level=warn"]
        dedup = [os.environ.get("DEDUP_BINARY", str(REPO / "build/dev/consumers/dedup/dedup")), *common,
                 f"--dedup.rules={REPO / 'deploy/config/rules/seoul.yaml'}",
                 f"--dedup.group_id={group}-dedup", f"--dedup.transactional_id={group}-dedup",
                 f"--dedup.topic.input={self.ingested}", f"--dedup.topic.repartition={self.repartition}",
                 f"--dedup.topic.changelog={self.changelog}", f"--dedup.topic.unique={self.unique}",
                 f"--dedup.topic.cases={self.cases}", f"--dedup.topic.deadletter={self.deadletter}",
                 # The answer loop's inputs: private and empty.
                 f"--dedup.topic.responses={self.responses}", f"--dedup.topic.deliveries={self.deliveries}",
                 # the sentence model has its own tests; ports chosen by the kernel
                 "--dedup.model=", "--dedup.ops_listen=127.0.0.1:0"]
        router = [os.environ.get("ROUTER_BINARY", str(REPO / "build/dev/consumers/router/router")),
                  *common, f"--router.rules={REPO / 'deploy/config/rules/seoul.yaml'}",
                  f"--router.group_id={group}-router", f"--router.transactional_id={group}-router",
                  f"--router.topic.input={self.unique}",
                  f"--router.topic.division_prefix={self.division_prefix}",
                  f"--router.topic.deadletter={self.deadletter}",
                  "--router.model=", "--router.ops_listen=127.0.0.1:0"]
        self.logs = [open(tmp_path / "dedup.log", "wb"), open(tmp_path / "router.log", "wb")]
        self.processes = [subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
                          for cmd, log in zip((dedup, router), self.logs)]

    def stop(self):
        for p in getattr(self, "processes", []):
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=60)
        for log in getattr(self, "logs", []):
            log.close()

    def routed(self, bootstrap, timeout=120):
        """Every record the router wrote to any division, as (topic, value, headers)."""
        return fresh_consumer(bootstrap, [self.division_prefix + d for d in DIVISIONS])


@pytest.mark.parametrize("via", ["http", "websocket"])
def test_a_bridge_cannot_impersonate_telegram_and_the_genuine_update_is_stored_and_routed(
        gateway, bootstrap, tmp_path, run_id, via):
    topics = Pipeline(bootstrap)
    relay_key = "cgk_" + uuid.uuid4().hex + "relay-granted-telegram"
    g = gateway(gateway__topic=topics.ingested, **TELEGRAM,
                auth__bridge_keys=bridge_entry("test-bridge", BRIDGE_KEY, "*") + ";"
                + bridge_entry("tg-relay", relay_key, "telegram"))
    update_id = int(time.time() * 1000) % 2_000_000_000 + 7
    text = f"망원시장 2번 출구 앞 가로등이 일주일째 꺼져 있어요 ({run_id})"
    forged = {"id": str(update_id), "channel": "telegram", "text": text, "author": "511223344"}

    # The attack: a bridge credential without the telegram grant, Telegram's next update id.
    if via == "http":
        status, _, body = g.post(json.dumps(forged, ensure_ascii=False))
        assert status == 403, body
        problem = json.loads(body)
        assert (problem["code"], problem["pointer"], problem["retryable"]) == ("forbidden", "/channel", False)
    else:
        async def over_websocket():
            async with websockets.connect(g.ws_url, extra_headers=BRIDGE_HEADERS) as ws:
                await ws.send(json.dumps(forged, ensure_ascii=False))
                return json.loads(await ws.recv())
        nack = asyncio.run(over_websocket())
        assert (nack["type"], nack["code"], nack["pointer"]) == ("nack", "forbidden", "/channel")
    assert g.metric('gateway_rejected_total{reason="forbidden"}') == 1

    # A bridge granted telegram writes only its own namespace, never telegram:<id>.
    granted = dict(forged, text=f"다른 내용의 메시지 ({run_id})")
    status, _, body = g.post(json.dumps(granted, ensure_ascii=False), credential=relay_key)
    assert status == 200, body

    # The genuine delivery of that update id.
    update = json.loads((REPO / "tests/fixtures/telegram/text-message-ko.json").read_text())
    update["update_id"] = update_id
    update["message"]["text"] = text
    req = urllib.request.Request(f"{g.url}/v1/webhooks/telegram", method="POST",
                                 data=json.dumps(update, ensure_ascii=False).encode(),
                                 headers={"Content-Type": "application/json",
                                          "X-Telegram-Bot-Api-Secret-Token": "tg-secret"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200

    genuine_key = f"telegram:{update_id}"
    records = read_topic(bootstrap, {genuine_key, f"bridge/tg-relay/telegram:{update_id}"},
                         topic=topics.ingested, settle=2)
    assert len(records[genuine_key]) == 1
    assert dict(records[genuine_key][0].headers())["ce_source"] == b"/gateway/channels/telegram"
    relayed = records[f"bridge/tg-relay/telegram:{update_id}"][0]
    assert dict(relayed.headers())["ce_source"] == b"/gateway/bridges/tg-relay"
    # Nothing else was stored: the forgery left no record under any key.
    consumer = fresh_consumer(bootstrap, [topics.ingested], committed=False)
    keys, deadline = [], time.monotonic() + 15
    while time.monotonic() < deadline and len(keys) < 3:
        for m in consumer.consume(10, timeout=0.5):
            if not m.error():
                keys.append(m.key().decode())
    time.sleep(1)
    keys += [m.key().decode() for m in consumer.consume(10, timeout=1) if not m.error()]
    consumer.close()
    assert sorted(keys) == sorted([genuine_key, f"bridge/tg-relay/telegram:{update_id}"])

    # Through dedup and the router: the genuine update is not dropped as anyone's
    # duplicate, and reaches a division.
    try:
        topics.start_consumers(bootstrap, tmp_path)
        consumer = topics.routed(bootstrap)
        found, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline and not found:
            for m in consumer.consume(100, timeout=0.5):
                if not m.error() and json.loads(m.value())["envelope"]["idempotency_key"] == genuine_key:
                    found.append(m)
            for p in topics.processes:
                assert p.poll() is None, (tmp_path / "dedup.log").read_text()[-2000:]
        consumer.close()
        assert found, "the genuine Telegram update was not routed"
        assert dict(found[0].headers())["ce_source"] == b"/gateway/channels/telegram"
    finally:
        topics.stop()


def test_host_exactly_once_or_400_and_nothing_stored(gateway, bootstrap, run_id):
    g = gateway()
    ms = [message(run_id, "host", i) for i in range(3)]
    assert raw_request(g, message_request("", as_json(ms[0])))[0] == 400
    status, body = raw_request(g, message_request("Host: a\r\nHost: b\r\n", as_json(ms[1])))
    assert status == 400 and json.loads(body)["code"] == "bad_request"
    assert raw_request(g, message_request("Host: a b\r\n", as_json(ms[1])))[0] == 400
    assert raw_request(g, message_request("Host: 127.0.0.1\r\n", as_json(ms[2])))[0] == 200
    found = read_topic(bootstrap, {key(m) for m in ms}, timeout=15, settle=2)
    assert set(found) == {key(ms[2])}
    assert g.metric('gateway_http_refused_total{reason="bad_request"}') == 3
    # HTTP/1.0 needs no Host.
    body = as_json(message(run_id, "host10", 0))
    req = message_request("", body).replace("HTTP/1.1", "HTTP/1.0", 1)
    assert raw_request(g, req)[0] == 200


def test_framing_a_proxy_could_read_otherwise_is_400_and_nothing_stored(gateway, bootstrap, run_id):
    g = gateway()
    ms = [message(run_id, "framing", i) for i in range(9)]

    def chunked(coding, body):
        return (f"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {BRIDGE_KEY}\r\nTransfer-Encoding: {coding}\r\n"
                f"Connection: close\r\n\r\n{len(body.encode()):x}\r\n{body}\r\n0\r\n\r\n")

    refused = [
        chunked("gzip, chunked", as_json(ms[0])),  # a coding the gateway would not decode
        # Chunked twice: Beast would read no body and take the chunks for the next request.
        chunked("chunked, chunked", as_json(ms[8])),
        message_request("Host: x\r\n", as_json(ms[1]), "Transfer-Encoding: identity\r\n"),
        message_request("Host: x\r\n", as_json(ms[2]), "Authorization: Bearer cgk_other\r\n"),
        message_request("Host: x\r\n", as_json(ms[3]), "Content-Type: text/plain\r\n"),
        message_request("Host: x:99999999\r\n", as_json(ms[4])),
        # Two Content-Lengths, even equal ones (a proxy may take only one of them).
        message_request("Host: x\r\n", as_json(ms[6]),
                        f"Content-Length: {len(as_json(ms[6]).encode())}\r\n"),
        message_request("Host: x\r\n", as_json(ms[7])).replace(
            f"Content-Length: {len(as_json(ms[7]).encode())}",
            f"Content-Length: {len(as_json(ms[7]).encode())}, {len(as_json(ms[7]).encode())}"),
    ]
    for text in refused:
        status, body = raw_request(g, text)
        assert status == 400 and json.loads(body)["code"] == "bad_request", body
    assert raw_request(g, chunked("chunked", as_json(ms[5])))[0] == 200
    found = read_topic(bootstrap, {key(m) for m in ms}, timeout=15, settle=2)
    assert set(found) == {key(ms[5])}
    assert g.metric('gateway_http_refused_total{reason="bad_request"}') == len(refused)


def test_a_websocket_key_that_is_not_16_bytes_of_base64_is_400(gateway):
    g = gateway()

    def upgrade(key_line):
        return (f"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"{key_line}Sec-WebSocket-Version: 13\r\n"
                f"Authorization: {BRIDGE_HEADERS['Authorization']}\r\n\r\n")

    good = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    for key_line in ("Sec-WebSocket-Key: x\r\n", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n", "",
                     good + good):  # RFC 6455 section 11.3.1: at most once
        status, body = raw_request(g, upgrade(key_line))
        assert status == 400 and json.loads(body)["code"] == "bad_request", (key_line, body)
        assert "Sec-WebSocket-Key" in json.loads(body)["detail"]
    assert g.metric('gateway_http_refused_total{reason="bad_request"}') == 4
    s = socket.create_connection(("127.0.0.1", g.port))
    s.sendall(upgrade("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n").encode())
    s.settimeout(10)
    assert s.recv(4096).startswith(b"HTTP/1.1 101")
    s.close()


def test_a_websocket_version_other_than_13_is_426_naming_13(gateway):
    g = gateway()
    for version_line in ("Sec-WebSocket-Version: 8\r\n", ""):
        s = socket.create_connection(("127.0.0.1", g.port))
        s.settimeout(10)
        s.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   f"{version_line}Authorization: {BRIDGE_HEADERS['Authorization']}\r\n\r\n").encode())
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = s.recv(4096)
            if not chunk:
                break
            raw += chunk
        s.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        assert lines[0].startswith("HTTP/1.1 426"), raw
        assert "sec-websocket-version: 13" in [h.lower() for h in lines[1:]], raw
        problem = json.loads(body)
        assert problem["code"] == "upgrade_required" and "13" in problem["detail"], problem
    assert g.metric('gateway_http_refused_total{reason="upgrade_required"}') == 2


def test_expect_100_continue_is_answered_before_the_body(gateway, bootstrap, run_id):
    g = gateway()
    m = message(run_id, "expect", 0)
    head, _, body = message_request("Host: x\r\n", as_json(m), "Expect: 100-continue\r\n").partition("\r\n\r\n")
    with socket.create_connection(("127.0.0.1", g.port)) as s:
        s.settimeout(3)  # curl gives up waiting after 1 s and sends the body anyway
        s.sendall((head + "\r\n\r\n").encode())
        interim = s.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        s.sendall(body.encode())
        s.settimeout(10)
        final = b""
        while b"\r\n\r\n" not in final:
            final += s.recv(65536)
        assert final.startswith(b"HTTP/1.1 200"), final
    assert set(read_topic(bootstrap, {key(m)}, timeout=15)) == {key(m)}


def test_an_absolute_form_target_is_routed_by_its_path(gateway, bootstrap, run_id):
    g = gateway()
    m = message(run_id, "absolute", 0)
    req = message_request("Host: 127.0.0.1\r\n", as_json(m)).replace(
        "POST /v1/messages", f"POST http://127.0.0.1:{g.port}/v1/messages", 1)
    assert raw_request(g, req)[0] == 200
    assert set(read_topic(bootstrap, {key(m)}, timeout=15)) == {key(m)}


def test_header_limits_answer_431(gateway):
    g = gateway()
    body = "{}"
    big = "X-Big: " + "a" * (9 * 1024) + "\r\n"
    status, text = raw_request(g, message_request("Host: x\r\n", body, big))
    assert status == 431 and json.loads(text)["code"] == "header_too_large"
    many = "".join(f"X-H{i}: v\r\n" for i in range(2000))
    assert raw_request(g, message_request("Host: x\r\n", body, many))[0] == 431
    section = "".join(f"X-H{i}: {'b' * 7000}\r\n" for i in range(10))  # 70 KiB over 10 headers
    assert raw_request(g, message_request("Host: x\r\n", body, section))[0] == 431
    assert g.metric('gateway_http_refused_total{reason="header_too_large"}') == 3
    # Within the limits: answered normally (here 400 for the empty message).
    assert raw_request(g, message_request("Host: x\r\n", body, "X-Ok: " + "c" * 4000 + "\r\n"))[0] == 400


def test_an_invalid_traceparent_header_is_ignored_and_counted_never_stored(gateway, bootstrap, run_id):
    g = gateway()
    cases = ["<script>alert(1)</script>", "0" * 5000,
             "00-00000000000000000000000000000000-00f067aa0ba902b7-01"]
    sent = []
    for i, trace in enumerate(cases):
        m = message(run_id, "trace", i)
        status, _, body = g.post(as_json(m), headers={"traceparent": trace})
        assert status == 200, body
        sent.append(m)
    found = read_topic(bootstrap, {key(m) for m in sent})
    for m in sent:
        assert "traceparent" not in dict(found[key(m)][0].headers())
    assert g.metric("gateway_traceparent_ignored_total") == len(cases)


def test_control_characters_in_ids_are_refused_with_the_pointer(gateway, bootstrap, run_id):
    g = gateway()
    cases = [("/id", {"id": f"{run_id}\u0000x"}), ("/id", {"id": f"{run_id}\nfake: line"}),
             ("/author", {"author": "a\u001bb"}), ("/conversation_id", {"conversation_id": "c\r\n"}),
             ("/reply_message_id", {"reply_message_id": "\u0085"})]
    sent = []
    for i, (pointer, fields) in enumerate(cases):
        m = message(run_id, "ctl", i, **fields)
        sent.append(m)
        status, _, body = g.post(json.dumps(m))
        problem = json.loads(body)
        assert (status, problem["code"], problem["pointer"]) == (400, "invalid_value", pointer)
        assert problem["id"] is None or "\n" not in problem["id"] and "\u0000" not in problem["id"]
    sentinel = message(run_id, "ctl-sentinel", 0)
    assert g.post(as_json(sentinel))[0] == 200
    found = read_topic(bootstrap, {key(m) for m in sent} | {key(sentinel)}, timeout=20, settle=2)
    assert set(found) == {key(sentinel)}


def test_malformed_json_is_malformed_json_whatever_its_top_level(gateway):
    g = gateway()
    for doc in ["[1,", '["a" "b"]', "[1,2,3]]", "[,1]", '{"id":"1",}', "tru", '"open', "[1e]",
                "[\"\\x\"]", "{'id': 1}", "[NaN]", "[1.]"]:
        status, _, body = g.post(doc)
        assert (status, json.loads(body)["code"]) == (400, "malformed_json"), doc
    assert json.loads(g.post("[1,2,3]")[2])["code"] == "wrong_type"


def ws_close_answer(g, code):
    """Sends a masked close frame with `code`; returns the code of the close the gateway sends."""
    with raw_websocket(g.port) as s:
        mask = os.urandom(4)
        payload = struct.pack("!H", code)
        s.sendall(bytes([0x88, 0x80 | len(payload)]) + mask +
                  bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        frame = b""
        while len(frame) < 4:
            chunk = s.recv(64)
            if not chunk:
                break
            frame += chunk
    assert frame[0] == 0x88, frame
    return struct.unpack("!H", frame[2:4])[0]


def test_websocket_close_codes_follow_rfc_6455(gateway):
    g = gateway()
    assert ws_close_answer(g, 1000) == 1000
    assert ws_close_answer(g, 4000) == 4000
    for forbidden in (5000, 65000, 1005, 1006, 2999):
        assert ws_close_answer(g, forbidden) == 1002, forbidden
    g.wait_until(lambda: g.metric(
        'gateway_connections_closed_total{protocol="websocket",reason="protocol_error"}') == 5,
        "the protocol errors were not counted")


def test_open311_raw_brackets_carry_attributes_and_the_division(gateway, bootstrap, run_id):
    g = gateway(channels__open311__enabled="true", channels__open311__api_keys="app-key-1",
                channels__open311__request_id_key="a-long-random-secret-value",
                channels__open311__services_file=str(REPO / "deploy/config/open311-services.json"))
    form = (f"api_key=app-key-1&service_code=pothole&lat=37.5665&long=126.978"
            f"&description=Deep+pothole+{run_id}&attribute[DEPTH]=deep"
            f"&attribute[LANES][]=1&attribute[LANES][]=2")
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "--data-binary", form,
                          "-H", "Content-Type: application/x-www-form-urlencoded",
                          f"{g.url}/open311/v2/requests.json"], check=True, capture_output=True,
                         text=True).stdout
    body, status = out.rsplit("\n", 1)
    assert status == "200", body
    request_id = json.loads(body)[0]["service_request_id"]
    record = read_topic(bootstrap, {f"open311:{request_id}"})[f"open311:{request_id}"][0]
    envelope = json.loads(record.value())
    assert envelope["service"] == {"code": "pothole", "division": "roads"}
    assert envelope["attributes"] == {"DEPTH": ["deep"], "LANES": ["1", "2"]}


def hs256_token(secret, claims):
    """A JWT signed as RFC 7515 says, written here apart from the gateway's own minting."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "local"}).encode()) + "." + \
        b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def test_a_bridge_with_a_jwt_sends_as_its_channels_only_and_bad_tokens_are_refused(gateway, bootstrap, run_id):
    secret = "jwt-bridge-test-secret-" + uuid.uuid4().hex
    g = gateway(auth__jwt__hs256_secret=secret, subscribe__enabled="false")  # an ingest-only pod
    now = int(time.time())
    claims = {"sub": "callcentre-relay", "iss": "civic-gateway-local", "role": "bridge",
              "channels": ["callcentre"], "iat": now, "exp": now + 600}
    token = hs256_token(secret, claims)

    m = message(run_id, "jwt", 2)  # index 2: the callcentre channel
    assert m["channel"] == "callcentre"
    status, _, body = g.post(as_json(m), credential=token)
    assert status == 200, body
    stored = read_topic(bootstrap, {key(m, bridge="callcentre-relay")})
    record = stored[key(m, bridge="callcentre-relay")][0]
    assert dict(record.headers())["ce_source"] == b"/gateway/bridges/callcentre-relay"

    refusals = [
        # a channel the token does not grant, and a verified webhook's namespace
        (dict(m, id=m["id"] + "-fb", channel="facebook"), token, 403, "forbidden"),
        (dict(m, id=m["id"] + "-tg", channel="telegram"), token, 403, "forbidden"),
        # signed with another secret, expired, and a dashboard's token (not a bridge's)
        (m, hs256_token("another-secret-of-at-least-32-bytes!", claims), 401, "invalid_credential"),
        (m, hs256_token(secret, dict(claims, iat=now - 900, exp=now - 300)), 401, "credential_expired"),
        (m, hs256_token(secret, dict(claims, role="staff", divisions=["roads"])), 403, "forbidden"),
    ]
    for sent, credential, want_status, want_code in refusals:
        status, _, body = g.post(as_json(sent), credential=credential)
        assert status == want_status, (want_code, body)
        assert json.loads(body)["code"] == want_code, body
        assert secret not in g.log_text() and credential not in g.log_text()
    # Nothing of the refused sends was stored under any key.
    leaked = read_topic(bootstrap, {key(dict(m, id=m["id"] + "-fb", channel="facebook"), bridge="callcentre-relay"),
                                    key(dict(m, id=m["id"] + "-tg", channel="telegram"), bridge="callcentre-relay"),
                                    f"telegram:{m['id']}-tg"}, timeout=5)
    assert not leaked, leaked
