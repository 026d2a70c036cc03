"""The router against the real broker: multi-division routing, triage, dead
letters, hot reload without losing or repeating a message, and exactly-once
across a crash."""

import collections
import json
import os
import signal
import threading
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import DIVISIONS, envelope, produce, read_committed

RULES_V1 = """version: "test-v1"
divisions:
  transport:
    rules:
      - {id: transport.bus, weight: 3, terms: [버스, bus]}
  water:
    rules:
      - {id: water.flooding, weight: 3, terms: [침수]}
  admin:
    rules:
      - {id: admin.web, weight: 3, terms: [홈페이지]}
"""
RULES_V2 = RULES_V1.replace('"test-v1"', '"test-v2"').replace(
    "terms: [버스, bus]", "terms: [지하철]").replace("terms: [홈페이지]", "terms: [홈페이지, 버스, bus]")
# Line 5 holds a one-syllable term, which the loader refuses.
RULES_BROKEN = RULES_V1.replace('"test-v1"', '"test-broken"').replace("terms: [버스, bus]", "terms: [버스, 차]")


def replace_file(path, text):
    """Writes a new file beside `path` and renames it over it (atomic), the way
    the README tells operators to deploy rules: the router never sees half a file."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text)
    os.replace(tmp, path)


def values_by_topic(records):
    out = collections.defaultdict(list)
    for topic, key, value, headers in records:
        try:
            value = json.loads(value)
        except ValueError:
            pass  # a dead letter keeps the unreadable bytes
        out[topic].append((key, value, headers))
    return out


def test_routes_to_one_or_two_divisions_triage_and_dead_letters(bootstrap, topics, routers, shipped_rules):
    flooded = envelope("사당역 앞 지하차도가 침수돼서 차량 통제 중이에요", 1, lat=37.4765, lon=126.9816)
    vague = envelope("test message please ignore", 2)
    gas = envelope("옆집 혼자 사시는 어르신 댁에서 가스 냄새가 심하게 나요", 3)
    produce(bootstrap, topics.input, [
        ("Dongjak-gu", flooded, [("civic-case-id", b"case-flood"), ("ce_id", flooded["id"].encode()),
                                 ("ce_type", b"city.feedback.ingested.v1"), ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]),
        ("citywide", vague, []),
        ("citywide", gas, [("civic-case-id", b"case-gas")]),
        ("citywide", b"{not an envelope", [("ce_id", b"broken-1")]),
    ])
    router = routers(shipped_rules)
    wanted = {topics.division("water"), topics.division("roads"), topics.division("triage"), topics.deadletter}

    def complete(records):
        by = values_by_topic(records)
        return (all(by.get(t) for t in wanted)
                and len([r for r in records if r[1] == "case-gas"]) >= 2)

    records = read_committed(bootstrap, [topics.division(d) for d in DIVISIONS] + [topics.deadletter], complete)
    by = values_by_topic(records)

    # The flooded underpass: water and roads, one record each, keyed by the case id.
    for division in ("water", "roads"):
        got = by[topics.division(division)]
        assert len(got) == 1, got
        key, value, headers = got[0]
        assert key == "case-flood"
        assert value["schema"] == "routed-message.v1"
        assert value["division"] == division
        assert sorted(value["divisions"]) == ["roads", "water"]
        assert value["district"] == "Dongjak-gu"
        assert value["envelope"] == flooded
        assert any(m["rule"] == "water.flooding" for m in value["matched"])
        assert headers["ce_id"] == flooded["id"]
        assert headers["traceparent"].startswith("00-0af7651916cd43dd")
        assert headers["civic-case-id"] == "case-flood"

    # Nothing fits: triage, keyed by the envelope id when dedup gave no case id.
    (key, value, _), = by[topics.division("triage")]
    assert key == vague["id"]
    assert value["divisions"] == ["triage"]

    # Urgent: welfare and safety both get it, marked high.
    gas_records = [(t, json.loads(v)) for t, k, v, h in records if k == "case-gas"]
    assert sorted(t for t, _ in gas_records) == sorted([topics.division("welfare"), topics.division("safety")])
    assert all(v["urgency"] == "high" for _, v in gas_records)

    # The unreadable record: on the dead letter topic with the reason, never dropped.
    (key, value, headers), = by[topics.deadletter]
    assert value == b"{not an envelope"
    assert headers["civic-deadletter-reason"].startswith("envelope:")
    assert headers["civic-deadletter-source"] == "router:" + topics.input

    assert router.stop() == 0
    assert router.wait_for_log("router.stopped")


def test_hot_reload_changes_routes_between_batches_and_refuses_a_broken_file(bootstrap, topics, routers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_V1)
    router = routers(rules)
    router.wait_for_log("router.started")
    total = 300
    changes = []

    def feed():
        # A steady stream while the rules change underneath.
        p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
        for i in range(total):
            value = json.dumps(envelope(f"버스가 안 와요 #{i}", 1000 + i), ensure_ascii=False)
            p.produce(topics.input, key="citywide", value=value, headers=[("civic-case-id", f"case-{i}".encode())])
            p.poll(0)
            if i == 100:
                p.flush(30)
                replace_file(rules, RULES_V2)
                changes.append(time.monotonic())
            time.sleep(0.01)
        assert p.flush(60) == 0

    feeder = threading.Thread(target=feed)
    feeder.start()
    feeder.join()
    router.wait_for_log("router.rules.reloaded", where=lambda e: e.get("version") == "test-v2")

    # A broken file is refused, named by line, and the old rules stay.
    replace_file(rules, RULES_BROKEN)
    router.process.send_signal(signal.SIGHUP)
    produce(bootstrap, topics.input, [("citywide", envelope("버스 또 안 와요", 5000), [("civic-case-id", b"case-after-broken")])])
    refused = router.wait_for_log("router.rules.refused")
    assert refused["error"].startswith("rules.yaml:5: divisions.transport.rules[0].terms[1]: '차'")
    assert refused["kept_version"] == "test-v2"

    out_topics = [topics.division(d) for d in ("transport", "admin", "triage")]
    records = read_committed(bootstrap, out_topics,
                             lambda rs: len({k for _, k, _, _ in rs}) >= total + 1, timeout=180, settle=3.0)
    count = collections.Counter(k for _, k, _, _ in records)
    duplicates = {k: n for k, n in count.items() if n > 1}
    assert not duplicates, duplicates
    missing = [f"case-{i}" for i in range(total) if f"case-{i}" not in count]
    assert not missing, missing
    topic_of = {k: t for t, k, _, _ in records}
    # Before the change: transport; after the reload: admin; never anything else.
    assert topic_of["case-0"] == topics.division("transport")
    assert topic_of[f"case-{total - 1}"] == topics.division("admin")
    assert set(topic_of.values()) <= {topics.division("transport"), topics.division("admin")}
    # Each message classified by one edition of the rules, stated in the record,
    # and routed where that edition sends it: v1 -> transport, v2 -> admin.
    where = {"test-v1": topics.division("transport"), "test-v2": topics.division("admin")}
    versions = collections.Counter()
    for topic, key, value, _ in records:
        version = json.loads(value)["rules_version"]
        versions[version] += 1
        assert topic == where[version], (key, version, topic)
    assert set(versions) == {"test-v1", "test-v2"}, versions
    # The broken file changed nothing.
    assert topic_of["case-after-broken"] == topics.division("admin")
    assert router.stop() == 0


def test_a_crash_neither_loses_nor_duplicates_a_routed_message(bootstrap, topics, routers, shipped_rules):
    total = 400
    small_batches = ["--router.max_batch_records=10"]
    first = routers(shipped_rules, transactional_id="router-crash-" + topics.prefix, extra=small_batches)
    produce(bootstrap, topics.input,
            [("citywide", envelope("골목에 쓰레기가 쌓여 있어요", 19999), [("civic-case-id", b"crash-warmup")])])
    first.wait_for_log("router.stats")  # it has joined the group and committed a transaction

    def feed():
        p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
        for i in range(total):
            value = json.dumps(envelope(f"골목에 쓰레기가 쌓여 있어요 {i}", 20000 + i), ensure_ascii=False)
            p.produce(topics.input, key=f"k{i % 7}", value=value, headers=[("civic-case-id", f"crash-{i}".encode())])
            p.poll(0)
            time.sleep(0.01)
        assert p.flush(60) == 0

    feeder = threading.Thread(target=feed)
    feeder.start()
    out = [topics.division("sanitation")]
    # Kill only once the first instance has committed part of the stream and
    # more input is still coming, so the restart must resume mid-stream.
    seen = read_committed(bootstrap, out, lambda rs: len(rs) >= 40, timeout=60, settle=0)
    assert 40 <= len(seen) < total + 1, len(seen)
    assert feeder.is_alive(), "the whole stream was sent before the kill"
    first.stop(signal.SIGKILL)  # mid-stream, most likely inside an open transaction
    second = routers(shipped_rules, group=first.group, transactional_id=first.transactional_id, extra=small_batches)
    feeder.join()
    records = read_committed(bootstrap, out, lambda rs: len(rs) >= total + 1, timeout=180, settle=3.0)
    count = collections.Counter(k for _, k, _, _ in records)
    assert len(count) == total + 1
    assert max(count.values()) == 1, {k: n for k, n in count.items() if n > 1}
    assert second.stop() == 0


def test_rules_naming_a_division_without_a_topic_are_refused_at_start(bootstrap, topics, routers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_V1 + "  tourism:\n    rules:\n      - {id: tourism.all, terms: [관광]}\n")
    router = routers(rules)
    assert router.process.wait(timeout=60) == 1
    failed = router.wait_for_log("router.start_failed")
    assert "no topic for: " + topics.division("tourism") in failed["detail"]


def test_a_missing_dead_letter_topic_is_refused_at_start(bootstrap, topics, routers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_V1)
    router = routers(rules, extra=[f"--router.topic.deadletter={topics.prefix}no-such-deadletter"])
    assert router.process.wait(timeout=60) == 1
    failed = router.wait_for_log("router.start_failed")
    assert failed["detail"].startswith(f"no topic {topics.prefix}no-such-deadletter")


def test_a_division_whose_topic_was_created_after_start_is_accepted_on_reload(bootstrap, topics, routers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_V1)
    router = routers(rules)
    router.wait_for_log("router.started")
    tourism = topics.division("tourism")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(tourism, 1, 1)]).values():
        f.result(timeout=60)
    with_tourism = RULES_V1.replace('"test-v1"', '"test-tourism"') + \
        "  tourism:\n    rules:\n      - {id: tourism.all, weight: 3, terms: [관광]}\n"
    replace_file(rules, with_tourism)
    # Rules are looked at before each batch: keep a trickle of input coming
    # until the new edition is in force.
    for i in range(200):
        produce(bootstrap, topics.input, [("citywide", envelope("버스가 안 와요", 6000 + i), [])])
        if any(e.get("event") == "router.rules.reloaded" and e.get("version") == "test-tourism"
               for e in router.log_lines()):
            break
        time.sleep(0.3)
    router.wait_for_log("router.rules.reloaded", where=lambda e: e.get("version") == "test-tourism")
    produce(bootstrap, topics.input, [("citywide", envelope("관광 안내소가 닫혀 있어요", 7000), [("civic-case-id", b"case-tour")])])
    records = read_committed(bootstrap, [tourism], lambda rs: len(rs) >= 1, timeout=60)
    assert [k for _, k, _, _ in records] == ["case-tour"]
    assert router.stop() == 0


def test_a_record_too_large_to_route_is_dead_lettered_and_the_stream_goes_on(bootstrap, topics, routers, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_V1)
    # ~700 KB in: over router.max_input_bytes (512 KiB); routed whole it would
    # have been close to message.max.bytes, and before the limit a record over it
    # aborted the transaction on every retry.
    big = envelope("버스가 안 와요 " + "x" * 700_000, 8000)
    after = envelope("버스가 또 안 와요", 8001)
    produce(bootstrap, topics.input, [("citywide", big, [("civic-case-id", b"case-big")]),
                                      ("citywide", after, [("civic-case-id", b"case-after-big")])])
    router = routers(rules, extra=["--router.max_batch_records=10"])
    records = read_committed(bootstrap, [topics.deadletter, topics.division("transport")],
                             lambda rs: len(rs) >= 2, timeout=90)
    by = values_by_topic(records)
    (key, value, headers), = by[topics.deadletter]
    assert key == "citywide"
    assert headers["civic-deadletter-reason"].startswith("too large: the record is ")
    assert headers["civic-deadletter-reason"].endswith(" bytes, over router.max_input_bytes (524288)")
    assert value == big  # it fits in router.max_output_bytes, so it is kept whole
    # The next message is routed as usual: nothing is stuck behind the large one.
    (key, value, _), = by[topics.division("transport")]
    assert key == "case-after-big"
    stats = router.wait_for_log("router.stats", where=lambda e: e.get("too_large") == 1)
    assert stats["deadlettered"] == 1
    assert router.stop() == 0
