"""/v1/subscribe against the real broker: every routed record in order, exact
resume (from memory, from Kafka, across a gateway restart), recovered false when
the history is gone, refusals, and a subscriber that never reads."""

import asyncio
import base64
import collections
import json
import time

import pytest
import websockets

from subscribe_support import (Client, Topics, case, delete_records, gateway_url, produce, routed,
                               token)


@pytest.fixture
def topics(bootstrap):
    return Topics(bootstrap)


def start(gateway, topics, **extra):
    g = gateway(**topics.gateway_options(**extra))
    # Ready once the division's partitions were found and started.
    g.wait_until(lambda: g.metric("gateway_subscribe_cases_loaded") == 1, "cases never loaded", 60)
    return g


async def subscribed(g, division="roads", from_="now", tok=None, **kw):
    deadline = time.monotonic() + 60
    while True:
        c = await Client.open(gateway_url(g), tok or token())
        sub = await c.subscribe(division, from_, **kw)
        if sub["type"] == "subscribed":
            return c, sub
        await c.close()
        assert sub.get("code") == "unavailable", sub
        assert time.monotonic() < deadline, sub
        await asyncio.sleep(0.3)


async def collect(c, n, timeout=60):
    """The next n message events (other frames skipped)."""
    got = []
    while len(got) < n:
        f = await c.frame(timeout)
        if f["type"] == "message":
            got.append(f)
    return got


def ids(frames):
    return [f["message"]["envelope"]["id"] for f in frames]


def assert_each_once(frames, n):
    """The frames carry env-0 .. env-(n-1), each exactly once: no duplicate, no gap."""
    got = ids(frames)
    assert len(got) == len(set(got)), "a duplicate"
    assert set(got) == {f"env-{i}" for i in range(n)}, "a gap"


def test_every_record_routed_to_the_division_arrives_in_order_per_partition(gateway, topics, bootstrap):
    g = start(gateway, topics)

    async def run():
        c, sub = await subscribed(g)
        assert sub["position"]
        stored = produce(bootstrap, topics.division("roads"),
                         [(f"case-{i % 7}", routed(f"case-{i % 7}", i)) for i in range(300)])
        # Another division's records must not arrive.
        produce(bootstrap, topics.division("water"), [("case-w", routed("case-w", 999, "water"))])
        got = await collect(c, 300)
        by_partition = collections.defaultdict(list)
        for f in got:
            by_partition[f["partition"]].append(f["offset"])
            assert f["position"]
        for p, offsets in by_partition.items():
            assert offsets == sorted(offsets), f"partition {p} out of order"
        assert sorted((f["partition"], f["offset"]) for f in got) == sorted(stored)
        with pytest.raises(asyncio.TimeoutError):
            while True:
                f = await c.frame(timeout=1.5)
                assert f["type"] != "message", f
        await c.close()

    asyncio.run(run())
    assert g.metric("gateway_subscribe_deliveries_total") >= 300


def test_cut_mid_stream_and_resume_gives_exactly_what_was_routed(gateway, topics, bootstrap):
    g = start(gateway, topics)

    async def run():
        c, _ = await subscribed(g)
        produce(bootstrap, topics.division("roads"), [(f"case-{i}", routed(f"case-{i}", i)) for i in range(100)])
        before = await collect(c, 40)
        last = before[-1]["position"]
        c.ws.transport.abort()  # a cut, not a goodbye
        produce(bootstrap, topics.division("roads"), [(f"case-{i}", routed(f"case-{i}", i)) for i in range(100, 150)])
        c2, sub = await subscribed(g, from_=last)
        assert sub["recovered"] is True and sub["replay"] == "memory"
        after = await collect(c2, 110)
        live, _ = None, None
        assert_each_once(before + after, 150)
        await c2.close()

    asyncio.run(run())
    assert g.metric('gateway_subscribe_resumes_total{outcome="memory"}') == 1


def test_resume_across_a_gateway_restart_reads_back_from_kafka(gateway, topics, bootstrap):
    g = start(gateway, topics, subscribe__prefill_records="0")

    async def first_half():
        c, _ = await subscribed(g)
        produce(bootstrap, topics.division("roads"), [(f"case-{i}", routed(f"case-{i}", i)) for i in range(60)])
        got = await collect(c, 60)
        return got, c

    before, c = asyncio.run(first_half())
    last = before[-1]["position"]
    g.terminate()
    produce(bootstrap, topics.division("roads"), [(f"case-{i}", routed(f"case-{i}", i)) for i in range(60, 200)])
    g2 = start(gateway, topics, subscribe__prefill_records="0")

    async def resume():
        c2, sub = await subscribed(g2, from_=last)
        assert sub["recovered"] is True, sub
        assert sub["replay"] == "kafka"
        after = await collect(c2, 140)
        live, _ = await c2.until("live")
        assert live["replayed"] == 140
        produce(bootstrap, topics.division("roads"), [("case-x", routed("case-x", 200))])
        after += await collect(c2, 1)
        assert_each_once(before + after, 201)
        await c2.close()

    asyncio.run(resume())
    assert g2.metric('gateway_subscribe_resumes_total{outcome="kafka"}') == 1


def test_a_position_older_than_retention_is_not_recovered_and_the_snapshot_follows(gateway, topics, bootstrap):
    produce(bootstrap, topics.cases, [("case-open", case("case-open"))])
    g = start(gateway, topics, subscribe__prefill_records="0", subscribe__window_bytes="65536",
              subscribe__queue_bytes="65536")

    async def run():
        c, _ = await subscribed(g)
        produce(bootstrap, topics.division("roads"), [("k", routed("k", i))for i in range(10)], partition=0)
        early = (await collect(c, 10))[2]["position"]
        await c.close()
        # Push the window past it, then let "retention" delete what it named.
        filler = "x" * 4000
        produce(bootstrap, topics.division("roads"),
                [("k", routed("k", 100 + i, text=filler)) for i in range(60)], partition=0)
        delete_records(bootstrap, topics.division("roads"), 0, 40)
        c2, sub = await subscribed(g, from_=early)
        assert sub["recovered"] is False
        assert sub["reason"] == "position_older_than_retention"
        assert sub["snapshot_cases"] == 1
        state = await c2.frame()
        assert state["type"] == "case" and state["snapshot"] is True
        assert state["case"]["id"] == "case-open"
        await c2.close()

    asyncio.run(run())
    assert g.metric('gateway_subscribe_not_recovered_total{reason="position_older_than_retention"}') == 1


def shifted_position(token_text, by):
    """The position with every division partition's offset moved `by` (its anchors kept):
    what a topic recreated shorter, or a forged position, looks like."""
    raw = base64.urlsafe_b64decode(token_text + "=" * (-len(token_text) % 4))

    def varint(i):
        value = shift = 0
        while True:
            b = raw[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value, i

    def put(v):
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        return bytes(out)

    assert raw[0] == 1  # the position format's version
    out, i = bytearray(raw[:5]), 5
    for group in range(2):  # division partitions, then the cases topic's
        n, i = varint(i)
        out += put(n)
        for _ in range(n):
            nxt, i = varint(i)
            out += put(nxt + (by if group == 0 else 0)) + raw[i:i + 4]
            i += 4
    return base64.urlsafe_b64encode(bytes(out)).rstrip(b"=").decode()


def test_a_position_past_the_end_of_the_topic_is_not_recovered(gateway, topics, bootstrap):
    g = start(gateway, topics)

    async def run():
        c, _ = await subscribed(g)
        produce(bootstrap, topics.division("roads"), [("k", routed("k", i)) for i in range(4)], partition=0)
        last = (await collect(c, 4))[-1]["position"]
        await c.close()
        c2, sub = await subscribed(g, from_=shifted_position(last, 1000))
        assert sub["recovered"] is False, sub  # it used to resume "from memory" and deliver nothing
        assert sub["reason"] == "topic_recreated", sub
        await c2.close()

    asyncio.run(run())


def test_refusals_another_division_expired_forged_and_foreign_origin(gateway, topics):
    g = start(gateway, topics)

    async def forbidden():
        c = await Client.open(gateway_url(g), token(divisions=["roads"]))
        sub = await c.subscribe("water", "now")
        assert sub["type"] == "error" and sub["code"] == "forbidden" and sub["pointer"] == "/division"
        sub = await c.subscribe("roads", "now")  # the connection stays usable
        deadline = time.monotonic() + 60
        while sub.get("code") == "unavailable" and time.monotonic() < deadline:
            # Retryable: the division's topics were not all read yet (a client retries).
            await asyncio.sleep(0.2)
            sub = await c.subscribe("roads", "now")
        assert sub["type"] == "subscribed", sub
        await c.close()

    async def refused(tok, code, how="header"):
        c = await Client.open(gateway_url(g), tok, how=how)
        error, _ = await c.until("error")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await c.frame()
        assert closed.value.code == code, (closed.value.code, error)
        return error

    asyncio.run(forbidden())
    e = asyncio.run(refused(token(ttl=-120), 4402))
    assert e["code"] == "credential_expired"
    e = asyncio.run(refused(token(secret="another-secret-another-secret-000"), 4401, how="protocol"))
    assert e["code"] == "invalid_credential"
    assert asyncio.run(refused(token(alg="none"), 4401, how="query"))["code"] == "invalid_credential"
    assert asyncio.run(refused(token(issuer="someone-else"), 4401))["code"] == "invalid_credential"

    async def origin():
        with pytest.raises(websockets.InvalidStatusCode) as refused_status:
            await Client.open(gateway_url(g), token(), origin="https://elsewhere.example")
        assert refused_status.value.status_code == 403

    asyncio.run(origin())
    assert g.metric('gateway_subscribe_auth_refused_total{reason="forbidden"}') == 1
    assert g.metric('gateway_subscribe_auth_refused_total{reason="expired"}') == 1
    assert g.metric('gateway_subscribe_auth_refused_total{reason="invalid"}') == 3
    assert g.metric('gateway_subscribe_auth_refused_total{reason="origin"}') == 1


def test_a_token_expiring_while_connected_ends_the_connection_with_its_position(gateway, topics):
    # The connection lasts the clock skew the upgrade allowed past exp: 1 s here.
    g = start(gateway, topics, subscribe__refresh_notice_s="1", auth__jwt__leeway_s="1")

    async def run():
        c, sub = await subscribed(g, tok=token(ttl=3))
        due, _ = await c.until("refresh_due", timeout=10)
        bye, _ = await c.until("disconnect", timeout=10)
        assert bye["code"] == 4402 and bye["reason"] == "credential_expired" and bye["position"]
        assert bye["reconnect"] is False

    asyncio.run(run())


def test_a_subscriber_that_never_reads_is_disconnected_while_others_keep_receiving(gateway, topics, bootstrap):
    # ASan keeps freed memory in quarantine (256 MiB by default): keep it small so
    # the resident size says what the gateway holds.
    g = start(gateway, topics, subscribe__queue_events="200", subscribe__queue_bytes="262144",
              subscribe__window_bytes="1048576",
              env={"ASAN_OPTIONS": "quarantine_size_mb=4:thread_local_quarantine_size_kb=64"})
    tok = token()

    warm = {}

    async def run():
        # websockets stops reading the socket once 4 messages wait unread: with
        # recv() never called, this subscriber holds everything back (TCP).
        stuck = await Client.open(gateway_url(g), tok)
        stuck.ws.max_queue = 4
        await stuck.subscribe("roads", "now")
        c, _ = await subscribed(g)
        text = "y" * 3000
        total = 0
        # 12 MB: more than the kernel's socket buffers take for the stuck one.
        for batch in range(20):
            produce(bootstrap, topics.division("roads"),
                    [(f"case-{i}", routed(f"case-{i}", batch * 200 + i, text=text)) for i in range(200)])
            total += 200
            got = await collect(c, 200)
            assert len(got) == 200
            if batch == 1:
                warm["rss"] = g.rss_kib()
        await c.close()
        stuck.ws.transport.abort()
        return total

    assert asyncio.run(run()) == 4000
    g.wait_until(lambda: g.metric('gateway_subscribe_disconnects_total{reason="slow"}') == 1,
                 "the stuck subscriber was not disconnected", 30)
    growth_mib = (g.rss_kib() - warm["rss"]) / 1024
    assert growth_mib < 48, f"memory grew {growth_mib:.1f} MiB"
    assert g.metric("gateway_subscribe_window_bytes") <= 1048576 + 64 * 1024


def test_ingest_and_fan_out_run_apart_by_configuration(gateway, topics):
    fan_out = start(gateway, topics, gateway__ingest__enabled="false")
    status, _, body = fan_out.post('{"id":"m","channel":"web","text":"x"}')
    assert status == 404
    assert fan_out.get("/dashboard/")[0] == 200
    assert '"FeatureCollection"' in fan_out.get("/dashboard/districts.geojson")[1]
    for missing in ["/dashboard/nope.js", "/dashboard/../README.md", "/dashboard/%2e%2e/README.md",
                    "/dashboard/package.json"]:
        assert fan_out.get(missing)[0] == 404, missing
    ingest_only = gateway(**topics.gateway_options(subscribe__enabled="false"))
    assert ingest_only.get("/dashboard/")[0] == 404
    assert ingest_only.metric("gateway_subscribe_connections") == 0

    async def refused():
        with pytest.raises(websockets.InvalidStatusCode) as e:
            await Client.open(gateway_url(ingest_only), token())
        assert e.value.status_code == 404

    asyncio.run(refused())
