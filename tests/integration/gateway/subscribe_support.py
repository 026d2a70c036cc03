"""Helpers for the subscribe tests: private topics, tokens, a protocol client."""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import pathlib
import subprocess
import time
import uuid

import websockets
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

REPO = pathlib.Path(__file__).resolve().parents[3]
SECRET = "subscribe-test-secret-0123456789abcdef"
ISSUER = "civic-test"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(sub="clerk", divisions=("roads",), role="staff", ttl=3600, secret=SECRET, alg="HS256",
          issuer=ISSUER, kid="local"):
    now = int(time.time())
    header = {"alg": alg, "typ": "JWT", "kid": kid}
    claims = {"sub": sub, "iss": issuer, "iat": now, "exp": now + ttl, "role": role,
              "divisions": list(divisions)}
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if alg == "none":
        return signing + "."
    sig = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(sig)


class Topics:
    """division.<id> and the cases topic under a private prefix, so tests never meet."""

    def __init__(self, bootstrap, divisions=(("roads", 3), ("water", 1)), case_partitions=3):
        self.bootstrap = bootstrap
        self.prefix = "sub-" + uuid.uuid4().hex[:10] + "."
        self.division_prefix = self.prefix + "division."
        self.cases = self.prefix + "cases"
        admin = AdminClient({"bootstrap.servers": bootstrap})
        topics = [NewTopic(self.division(d), n, 1) for d, n in divisions]
        topics.append(NewTopic(self.cases, case_partitions, 1, config={"cleanup.policy": "compact"}))
        for f in admin.create_topics(topics).values():
            f.result(timeout=60)

    def division(self, d):
        return self.division_prefix + d

    def gateway_options(self, **extra):
        options = {
            "subscribe__topic__division_prefix": self.division_prefix,
            "subscribe__topic__cases": self.cases,
            # The case API follows the same private cases, not the broker's feedback.cases.
            "gateway__answers__cases_topic": self.cases,
            "subscribe__metadata_refresh_ms": "500",
            "auth__jwt__hs256_secret": SECRET,
            "auth__jwt__issuer": ISSUER,
            "dashboard__dir": str(REPO / "dashboard"),
            "dashboard__districts_file": str(REPO / "deploy/config/districts/seoul-gu.geojson"),
        }
        options.update(extra)
        return options


def routed(case_id, n, division="roads", text=None):
    return {"schema": "routed-message.v1", "case_id": case_id, "division": division,
            "divisions": [division], "kind": "complaint", "district": "Mapo-gu", "urgency": "normal",
            "matched": [], "rules_version": "test",
            "envelope": {"version": 1, "id": f"env-{n}", "text": text or f"report {n}", "channel": "web"}}


def case(case_id, divisions=("roads",), status="open", count=1, title="pothole"):
    return {"version": 1, "id": case_id, "report_count": count, "duplicates_dropped": 0,
            "members": [case_id[5:]], "divisions": list(divisions), "district": "Mapo-gu",
            "title": title, "latest_text": title, "kind": "complaint", "urgency": "normal",
            "channels": ["web"], "location": None, "members_truncated": False,
            "first_seen": "2026-12-01T00:00:00.000Z", "last_seen": "2026-12-01T00:00:00.000Z",
            "status": status}


def produce(bootstrap, topic, records, partition=None):
    """records: (key, dict) pairs; waits for every delivery; returns [(partition, offset)]."""
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 2})
    stored, failures = [], []

    def report(err, msg):
        if err:
            failures.append(err)
        else:
            stored.append((msg.partition(), msg.offset()))

    for key, value in records:
        kwargs = {"partition": partition} if partition is not None else {}
        p.produce(topic, key=key, value=json.dumps(value, ensure_ascii=False), on_delivery=report, **kwargs)
        p.poll(0)
    assert p.flush(60) == 0
    assert not failures, failures
    return stored


def delete_records(bootstrap, topic, partition, before_offset):
    """Kafka's own DeleteRecordsCommand: what retention does, at once."""
    libs = pathlib.Path(os.environ.get("CIVIC_CACHE_DIR", pathlib.Path.home() / ".cache/civic-gateway")) \
        / "kafka-4.3.1/libs"
    spec = pathlib.Path(f"/tmp/delete-{uuid.uuid4().hex}.json")
    spec.write_text(json.dumps({"partitions": [{"topic": topic, "partition": partition, "offset": before_offset}],
                                "version": 1}))
    try:
        subprocess.run(["java", "-cp", f"{libs}/*", "org.apache.kafka.tools.DeleteRecordsCommand",
                        "--bootstrap-server", bootstrap, "--offset-json-file", str(spec)],
                       check=True, capture_output=True, timeout=120)
    finally:
        spec.unlink()


class Client:
    """A subscribe connection: frames one by one, whatever the batching."""

    def __init__(self, ws):
        self.ws = ws
        self.pending = []

    @classmethod
    async def open(cls, url, tok, how="header", origin=None):
        headers = {}
        subprotocols = ["civic.subscribe.v1"]
        target = url
        if how == "header":
            headers["Authorization"] = f"Bearer {tok}"
        elif how == "query":
            target = f"{url}?access_token={tok}"
        else:
            subprotocols.append("bearer." + tok)
        if origin:
            headers["Origin"] = origin
        ws = await websockets.connect(target, extra_headers=headers, subprotocols=subprotocols,
                                      max_size=None, open_timeout=30)
        return cls(ws)

    async def frame(self, timeout=60):
        while not self.pending:
            text = await asyncio.wait_for(self.ws.recv(), timeout)
            self.pending = [json.loads(line) for line in text.split("\n") if line]
        return self.pending.pop(0)

    async def until(self, type_, timeout=60):
        seen = []
        while True:
            f = await self.frame(timeout)
            seen.append(f)
            if f["type"] == type_:
                return f, seen

    async def subscribe(self, division, from_, fallback=None, id_="s"):
        frame = {"type": "subscribe", "id": id_, "division": division, "from": from_}
        if fallback:
            frame["fallback"] = fallback
        await self.ws.send(json.dumps(frame))
        while True:
            f = await self.frame()
            if f["type"] in ("subscribed", "error"):
                return f

    async def close(self):
        await self.ws.close()


def gateway_url(g):
    return f"ws://127.0.0.1:{g.port}/v1/subscribe"
