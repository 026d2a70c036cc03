"""Messages sent over WebSocket and HTTP land in feedback.ingested exactly once,
with the content sent, and each ack names where Kafka stored it."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import websockets

from conftest import BRIDGE_HEADERS, REPLY_KEYS, read_topic
from messages import as_json, key, message
from wsclient import stream_all


def check_records(sent, answers, found):
    """Every sent message: acked, stored once, with its content, at the acked offset."""
    assert len(found) == len(sent), f"{len(sent) - len(found)} messages missing from Kafka"
    for m in sent:
        records = found[key(m)]
        assert len(records) == 1, f"{key(m)} stored {len(records)} times"
        record = records[0]
        envelope = json.loads(record.value())
        assert envelope["channel"] == m["channel"]
        assert envelope["channel_message_id"] == m["id"]
        assert envelope["idempotency_key"] == key(m)
        assert envelope["text"] == m["text"]
        assert set(envelope["reply_to"]) == {"channel", "token"}
        assert envelope["reply_to"]["channel"] == m["channel"]
        assert m["conversation_id"] not in record.value().decode()
        assert REPLY_KEYS.open(envelope["reply_to"]["token"])["to"] == m["conversation_id"]
        assert m["author"] not in record.value().decode()
        ack = answers[m["id"]]
        assert (ack["partition"], ack["offset"]) == (record.partition(), record.offset())
        headers = dict(record.headers())
        assert headers["ce_id"].decode() == envelope["id"]
        assert headers["ce_specversion"] == b"1.0"


def test_ten_thousand_messages_over_four_websockets_land_exactly_once(gateway, bootstrap, run_id):
    g = gateway()
    batches = [[message(run_id, c, i) for i in range(2500)] for c in range(4)]
    results = stream_all(g.ws_url, batches)

    answers = {}
    for r in results:
        answers.update(r)
    sent = [m for b in batches for m in b]
    assert len(answers) == 10000
    nacks = [a for a in answers.values() if a["type"] != "ack"]
    assert not nacks, nacks[:3]
    for a in answers.values():
        assert a["topic"] == "feedback.ingested" and a["offset"] >= 0

    found = read_topic(bootstrap, {key(m) for m in sent}, settle=2)
    check_records(sent, answers, found)
    assert g.metric('gateway_messages_total{outcome="stored"}') == 10000


def test_a_bridge_that_asks_for_batched_acks_gets_every_ack_once_in_acks_frames(gateway, bootstrap, run_id):
    g = gateway()
    sent = [message(run_id, "batched", i) for i in range(2000)]

    async def run():
        answers, sizes = {}, []
        async with websockets.connect(g.ws_url, extra_headers=BRIDGE_HEADERS,
                                      subprotocols=["civic.batch-acks.v1"]) as ws:
            assert ws.subprotocol == "civic.batch-acks.v1"

            async def read_answers():
                while len(answers) < len(sent):
                    frame = json.loads(await ws.recv())
                    assert frame["type"] == "acks", frame  # no nack expected, no single ack frames
                    sizes.append(len(frame["acks"]))
                    for a in frame["acks"]:
                        assert a["id"] not in answers, f"two answers for {a['id']}"
                        answers[a["id"]] = a

            reader = asyncio.create_task(read_answers())
            for m in sent:
                await ws.send(json.dumps(m, ensure_ascii=False))
            await asyncio.wait_for(reader, 180)
        return answers, sizes

    answers, sizes = asyncio.run(run())
    assert len(answers) == len(sent)
    assert max(sizes) > 1, "every acks frame held a single ack: nothing was batched"
    found = read_topic(bootstrap, {key(m) for m in sent}, settle=2)
    check_records(sent, answers, found)


def test_a_bridge_that_offers_no_known_subprotocol_gets_one_frame_per_ack(gateway, run_id):
    g = gateway()

    async def run():
        async with websockets.connect(g.ws_url, extra_headers=BRIDGE_HEADERS) as ws:
            assert ws.subprotocol is None
            await ws.send(json.dumps(message(run_id, "plain", 1), ensure_ascii=False))
            return json.loads(await asyncio.wait_for(ws.recv(), 60))

    frame = asyncio.run(run())
    assert frame["type"] == "ack" and frame["id"] == message(run_id, "plain", 1)["id"]


def test_a_thousand_messages_over_http_singly_and_in_batches(gateway, bootstrap, run_id):
    g = gateway()
    singles = [message(run_id, "http", i) for i in range(500)]
    batched = [message(run_id, "ndjson", i) for i in range(500)]

    def post_one(m):
        status, _, body = g.post(as_json(m))
        assert status == 200, body
        return json.loads(body)

    with ThreadPoolExecutor(8) as pool:
        single_answers = list(pool.map(post_one, singles))
    assert all(a["status"] == "stored" for a in single_answers)

    batch_answers = []
    for start in range(0, 500, 100):
        chunk = batched[start:start + 100]
        status, _, body = g.post("\n".join(as_json(m) for m in chunk) + "\n", "application/x-ndjson")
        assert status == 200, body
        result = json.loads(body)
        assert result["stored"] == 100 and result["failed"] == 0
        assert [r["line"] for r in result["results"]] == list(range(1, 101))
        batch_answers += result["results"]

    answers = {a["id"]: a for a in single_answers + batch_answers}
    sent = singles + batched
    found = read_topic(bootstrap, {key(m) for m in sent}, settle=2)
    check_records(sent, answers, found)


def test_personal_data_is_masked_and_trace_context_kept(gateway, bootstrap, run_id):
    g = gateway()
    m = message(run_id, "pii", 0, text="연락처 010-1234-5678, 메일 minsu.kim@naver.com 으로 답 주세요",
                author="minsu.kim@naver.com")
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    status, _, body = g.post(as_json(m), headers={"traceparent": trace})
    assert status == 200, body
    record = read_topic(bootstrap, {key(m)})[key(m)][0]
    value = record.value().decode()
    assert "010-1234-5678" not in value and "minsu.kim" not in value
    assert json.loads(value)["text"] == "연락처 [phone], 메일 [email] 으로 답 주세요"
    assert json.loads(value)["language"] == "ko"
    assert len(json.loads(value)["author_id"]) == 32
    assert dict(record.headers())["traceparent"].decode() == trace
    assert "010-1234-5678" not in g.log_text() and "minsu.kim" not in g.log_text()
